"""Flag the check-ins stored before the flag: without a position, or far from the place."""

from django.db import migrations


def flag(apps, schema_editor):
    check_in = apps.get_model("smartcodes", "CheckIn")
    check_in.objects.filter(lat__isnull=True).update(flag="no_position")
    check_in.objects.filter(lat__isnull=False, far=True).update(flag="far")


class Migration(migrations.Migration):
    dependencies = [("smartcodes", "0006_checkin_flag")]
    operations = [migrations.RunPython(flag, migrations.RunPython.noop)]
