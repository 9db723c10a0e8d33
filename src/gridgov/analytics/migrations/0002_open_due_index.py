"""The live part of "due to close": open filed events whose handling deadline has passed.
An index of events for the analytics' one query on them (decision 0016): partial (open
events only, bounded however long the history) and, on PostgreSQL, covering the rollup's
keys so the count is an index-only scan. Keyed by the day of report: a period's open events
are a range of it, all time is the whole (small) index."""

from django.db import migrations

LIVE = "('reported', 'filed', 'dispatched', 'in_progress', 'handled', 'verified', 'deferred', 'suspended')"
INCLUDE = (
    "INCLUDE (id, state, area_id, subclass_id, department_id, source, handle_due_at, rework_count)"
)


def create(apps, schema_editor):
    include = INCLUDE if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS analytics_event_open_due ON events_event (reported_at) "
        f"{include} WHERE state IN {LIVE} AND accepted_at IS NOT NULL"
    )


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS analytics_event_open_due")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("events", "0012_reads_at_scale_indexes")]

    operations = [migrations.RunPython(create, drop)]
