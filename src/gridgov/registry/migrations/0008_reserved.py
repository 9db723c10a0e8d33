"""Indexes for the registry's search and pages at a city's volume (a million residents).

Names are searched case-sensitively (`name__contains`, `name__startswith`: Chinese names have
no case), i.e. `name LIKE '%q%'` or `'q%'`: no B-tree serves a leading wildcard, so every
search read the whole table. A GIN index of the trigrams of `name` (pg_trgm) serves a prefix
of any length (its first trigram is padded: "  和") and any substring of three characters
or more; a two-character substring has no trigram (decision 0032). CJK
characters are word characters for pg_trgm when the database's LC_CTYPE is a UTF-8 locale
(C.UTF-8, zh_CN.UTF-8). A household's address is searched with `icontains` (UPPER(address)).

People by special group (a semi-join from care tags) and scoped counts read, for each person,
only the id, status and grid: a covering index makes those index-only scans instead of one
heap read per person. People listed by name (a group, a grid) walk the (name, id) index.

The GIN and covering indexes exist only on PostgreSQL: SQLite has neither (and its demo-sized
tables need none); they stay out of the models' state, since Meta.indexes cannot say
"PostgreSQL only", so makemigrations sees nothing to do on either database.
"""

from django.db import migrations, models

POSTGRESQL_INDEXES = [
    # (name, table, how)
    ("registry_resident_name_trgm", "registry_resident", "USING gin (name gin_trgm_ops)"),
    (
        "registry_household_address_trgm",
        "registry_household",
        "USING gin (UPPER(address) gin_trgm_ops)",
    ),
    ("registry_resident_id_status_area", "registry_resident", "(id) INCLUDE (status, area_id)"),
]


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_reserved")]

    operations = [
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["name", "id"], name="resident_name_id"),
        ),
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
        PostgreSQLOnly("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        *(
            PostgreSQLOnly(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} {how}",
                f"DROP INDEX IF EXISTS {name}",
            )
            for name, table, how in POSTGRESQL_INDEXES
        ),
    ]
