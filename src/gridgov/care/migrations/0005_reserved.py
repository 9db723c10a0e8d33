"""Reserved for issue 12's parts (kept empty so parallel work can fill it in)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("care", "0004_reserved")]

    operations = []
