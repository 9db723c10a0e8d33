from django.db import migrations


def load(apps, schema_editor):
    from gridgov.party.defaults import load_default_rules

    load_default_rules(apps.get_model("party", "PointRule"))


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
