"""On PostgreSQL the track table becomes partitioned by day (dispatch/tracks.py); SQLite
keeps the plain table. The model does not change: only the database does."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gridgov.dispatch.tracks import partition_table

    partition_table(schema_editor)


def backwards(apps, schema_editor):
    from gridgov.dispatch.tracks import unpartition_table

    unpartition_table(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0003_hot_positions_without_coordinate_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
