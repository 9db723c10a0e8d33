"""Ship the default catalog (events/catalog_data.py) with every installation."""

from django.db import migrations


def load(apps, schema_editor):
    from gridgov.events.catalog_data import load_catalog

    load_catalog(apps.get_model("events", "CatalogClass"), apps.get_model("events", "Subclass"), apps.get_model("events", "ComponentType"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
