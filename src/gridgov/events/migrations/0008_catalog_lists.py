"""Fill the admission and enforcement list flags of the shipped catalog."""

from django.db import migrations


def load(apps, schema_editor):
    from gridgov.events.catalog_data import load_catalog

    load_catalog(apps.get_model("events", "CatalogClass"), apps.get_model("events", "Subclass"), apps.get_model("events", "ComponentType"))


class Migration(migrations.Migration):
    dependencies = [("events", "0007_subclass_enforcement_subclass_in_grid_list")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
