"""Existing subclasses get the shipped Open311 publication: disputes, public order, special
groups, petitions and Party matters private; public facilities published exactly."""

from django.db import migrations


def publish(apps, schema_editor):
    from gridgov.events.catalog_data import PUBLIC_FACILITY, publication_for

    subclass = apps.get_model("events", "Subclass")
    for row in subclass.objects.all():
        row.publication = publication_for(row.code, row.name_zh)
        row.public_facility = row.code in PUBLIC_FACILITY
        row.save(update_fields=["publication", "public_facility"])


class Migration(migrations.Migration):
    dependencies = [("events", "0010_subclass_publication_alert_freshness")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
