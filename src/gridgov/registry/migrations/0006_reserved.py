"""Reserved for issue 12's parts (kept empty so parallel work can fill it in)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_household_heads")]

    operations = []
