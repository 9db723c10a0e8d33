"""Version counters of per-process caches, moved past both their old and restored values.

Processes keep the catalog, the calendar and the area index in memory and rebuild them when
a counter moves (common/versioned_cache.py, areas/spatial_index.py). A restore brings the
counters back with the rest of the database: a process that cached at version 5, a backup
made at 5 and later edits (6, 7) restored means 5 again, and that process never rebuilds
(A-B-A). So each counter is set to max(live before, restored) + 1, in the same transaction
(PostgreSQL) or file (SQLite) that is swapped in: the first check after a restore rebuilds.
"""

import json
import sqlite3

from django.db import connection

from gridgov.areas.models import TreeVersion
from gridgov.events.versions import CacheVersion

# table -> (key column, its SQL type on PostgreSQL)
COUNTERS = {
    CacheVersion._meta.db_table: ("name", "text"),
    TreeVersion._meta.db_table: ("id", "bigint"),
}

Values = dict[str, dict[str, int]]


def read_live() -> Values:
    """Every counter of the live database ({} for tables it has not got), keyed by text."""
    values: Values = {}
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table, (key, _type) in COUNTERS.items():
            if table in tables:
                cursor.execute(f"SELECT {key}, version FROM {table}")  # noqa: S608 (our names)
                values[table] = {str(k): int(v) for k, v in cursor.fetchall()}
    return values


def bump_sqlite(db: sqlite3.Connection, old: Values) -> None:
    """In the staged SQLite file, before it replaces the live one."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table, (key, _type) in COUNTERS.items():
        if table not in tables:
            continue
        before = old.get(table, {})
        restored = {str(k): v for k, v in db.execute(f'SELECT "{key}", version FROM "{table}"')}  # noqa: S608
        for name in restored.keys() | before.keys():
            version = max(restored.get(name, 0), before.get(name, 0)) + 1
            if name in restored:
                db.execute(f'UPDATE "{table}" SET version = ? WHERE "{key}" = ?', (version, name))  # noqa: S608
            else:
                db.execute(
                    f'INSERT INTO "{table}" ("{key}", version) VALUES (?, ?)', (name, version)
                )  # noqa: S608


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def bump_postgres_sql(old: Values) -> str:
    """SQL for the end of the restore's transaction (search_path is empty there)."""
    lines = [
        "SET standard_conforming_strings = on;",
        f"SELECT pg_catalog.set_config('gridgov.counters', {_literal(json.dumps(old))}, true);",
    ]
    for table, (key, sql_type) in COUNTERS.items():
        lines.append(
            f"""DO $bump$
DECLARE old jsonb := COALESCE(
    (pg_catalog.current_setting('gridgov.counters')::jsonb) -> '{table}', '{{}}');
BEGIN
  IF pg_catalog.to_regclass('public.{table}') IS NULL THEN RETURN; END IF;
  UPDATE public.{table} AS c SET version = GREATEST(
    c.version, COALESCE((old ->> c.{key}::text)::bigint, 0)) + 1;
  INSERT INTO public.{table} ({key}, version)
    SELECT o.key::{sql_type}, o.value::bigint + 1 FROM pg_catalog.jsonb_each_text(old) AS o
    WHERE NOT EXISTS (SELECT 1 FROM public.{table} AS c WHERE c.{key}::text = o.key);
END $bump$;"""
        )
    return "\n".join(lines) + "\n"
