"""The database half of a backup: SQLite's online backup API, or pg_dump's custom format.

Each dump also counts the rows of every table in the same snapshot it dumps, so a restore can
check itself against the manifest: on SQLite the counts are read from the copy; on PostgreSQL
a REPEATABLE READ transaction exports its snapshot and pg_dump reads that very snapshot.
"""

import json
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection

from gridgov.common.errors import DomainError
from gridgov.ops.counters import Values, bump_postgres_sql, bump_sqlite

CHUNK = 1 << 20

DUMP_FILE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# A restore waits at most this long for a lock (an app process still holding a table) and then
# fails with PostgreSQL's message instead of hanging.
LOCK_TIMEOUT = "30s"
_MISSING = (
    "{program} is not on PATH: install PostgreSQL's client programs "
    "(Debian: postgresql-client, the server's major version or newer)."
)


def vendor() -> str:
    return connection.vendor


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _outside_transaction() -> None:
    if connection.in_atomic_block:
        raise DomainError("A backup or a restore cannot run inside a transaction.")


def table_counts() -> dict[str, int]:
    """Rows of every table of the live database (what a restore is checked against)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def dump(path: Path) -> dict[str, int]:
    """Write the whole database to `path`; return each table's rows in the same snapshot."""
    _outside_transaction()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return _sqlite_dump(path)
    if connection.vendor == "postgresql":
        return _postgres_dump(path)
    raise DomainError(f"No backup for a {connection.vendor} database.")


def rows_differ(expected: dict[str, int], counts: dict[str, int | None]) -> DomainError | None:
    wrong = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    if not wrong:
        return None
    return DomainError(
        f"The restored database differs from the backup (rows): {wrong}. Nothing was changed."
    )


def prepare(path: Path, expected: dict[str, int], counters: Values) -> None:
    """Every check of the dump that can be made before the live database changes.

    SQLite: the staged file is opened, counted against the manifest and its version counters
    moved on (counters.py), so what `load` swaps in is exactly what was checked. PostgreSQL:
    pg_restore reads the dump's table of contents (the counts wait for `load`'s transaction).
    """
    if connection.vendor == "sqlite":
        _sqlite_prepare(path, expected, counters)
    elif connection.vendor == "postgresql":
        try:
            _run(["pg_restore", "--list", str(path)])
        except DomainError as error:
            raise DomainError(f"The backup's database is not a pg_dump archive: {error}") from error


def load(path: Path, expected: dict[str, int], counters: Values) -> None:
    """Replace the whole live database (tables the dump lacks too) with the dump at `path`,
    in one step that either happens whole or not at all (after `prepare`)."""
    _outside_transaction()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _sqlite_load(path)
    elif connection.vendor == "postgresql":
        _postgres_load(path, expected, counters)
    else:
        raise DomainError(f"No restore for a {connection.vendor} database.")


def _sqlite_dump(path: Path) -> dict[str, int]:
    # The online backup API copies pages from the open connection: consistent, and in WAL
    # mode the app keeps writing meanwhile (a plain file copy could catch a torn write).
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        names = [
            row[0]
            for row in target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: target.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names
        }
    finally:
        target.close()


def _sqlite_prepare(path: Path, expected: dict[str, int], counters: Values) -> None:
    try:
        staged = sqlite3.connect(path)
        try:
            names = [
                row[0]
                for row in staged.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            counts = {
                name: staged.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in names
            }
            if error := rows_differ(expected, counts):
                raise error
            bump_sqlite(staged, counters)
            staged.commit()
        finally:
            staged.close()
    except sqlite3.DatabaseError as error:
        raise DomainError(
            f"The backup's database is not a readable SQLite database: {error}."
        ) from error


def _sqlite_load(path: Path) -> None:
    source = sqlite3.connect(path)
    try:
        # Page by page into the live connection, under the database's write lock: readers in
        # other processes see the old or the new database, never a mix.
        source.backup(connection.connection)
    finally:
        source.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _postgres_env() -> dict[str, str]:
    params = connection.settings_dict
    env = {**os.environ, "PGOPTIONS": f"-c lock_timeout={LOCK_TIMEOUT}"}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    if params.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = params["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (fixed programs, no shell)
            command, env=_postgres_env(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise DomainError(_MISSING.format(program=command[0])) from error
    if result.returncode != 0:
        raise DomainError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _postgres_dump(path: Path) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = {}
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
                counts[table] = cursor.fetchone()[0]
            # Custom format (compressed, restorable table by table with pg_restore -t).
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={path}"])
        finally:
            cursor.execute("COMMIT")
    return counts


_ROWS_DIFFER = "gridgov: restored rows differ"
# After the dump, inside its transaction: compare the counts with the manifest (an exception
# rolls everything back). search_path is empty there: names are qualified.
_CHECK_ROWS = """
SELECT pg_catalog.set_config('gridgov.expected', %s, true);
DO $check$
DECLARE
  expected jsonb := pg_catalog.current_setting('gridgov.expected')::jsonb;
  restored jsonb := '{}';
  t text;
  n bigint;
BEGIN
  FOR t IN SELECT pg_catalog.jsonb_object_keys(expected) LOOP
    n := NULL;
    IF pg_catalog.to_regclass(pg_catalog.format('public.%%I', t)) IS NOT NULL THEN
      EXECUTE pg_catalog.format('SELECT count(*) FROM public.%%I', t) INTO n;
    END IF;
    IF n IS DISTINCT FROM (expected ->> t)::bigint THEN
      restored := restored || pg_catalog.jsonb_build_object(t, n);
    END IF;
  END LOOP;
  IF restored <> '{}' THEN
    RAISE EXCEPTION '%s: %%', restored::text;
  END IF;
END $check$;
"""
_ABORT = "DO $abort$ BEGIN RAISE EXCEPTION 'gridgov: pg_restore failed'; END $abort$;\n"


def _postgres_load(path: Path, expected: dict[str, int], counters: Values) -> None:
    # pg_restore --clean cannot drop a partitioned table's partitions (their inherited keys),
    # nor what the backup lacks: the schema is dropped and made again instead, followed by the
    # dump as SQL, the row check and the counters' bump, all in one psql transaction: a
    # failure anywhere (pg_restore's too: then an error is sent last) leaves the database as
    # it was. Our own session must not hold anything the DROP waits for.
    connection.close()
    env = _postgres_env()
    tail = _CHECK_ROWS % (_literal(json.dumps(expected)), _ROWS_DIFFER) + bump_postgres_sql(
        counters
    )
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as psql_errors:
        try:
            script = subprocess.Popen(  # noqa: S603 (fixed programs, no shell)
                ["pg_restore", "--no-owner", "--no-acl", "--file=-", str(path)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=script_errors,
            )
        except FileNotFoundError as error:
            raise DomainError(_MISSING.format(program="pg_restore")) from error
        try:
            psql = subprocess.Popen(  # noqa: S603
                [
                    "psql",
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    "--command=DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
                    "--file=-",
                ],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,  # query results (set_config) are not read
                stderr=psql_errors,
            )
        except FileNotFoundError as error:
            script.kill()
            script.wait()
            raise DomainError(_MISSING.format(program="psql")) from error
        # Python carries the dump from one to the other, so the end of the script can depend
        # on pg_restore's exit: psql's transaction must not commit a half-read dump.
        try:
            while chunk := script.stdout.read(CHUNK):
                psql.stdin.write(chunk)
            restored = script.wait() == 0
            psql.stdin.write((tail if restored else _ABORT).encode())
        except BrokenPipeError:  # psql stopped at an error: its message says which
            script.kill()
            script.wait()
            restored = True  # pg_restore was not the one that failed
        finally:
            script.stdout.close()
            try:
                psql.stdin.close()
            except BrokenPipeError:
                pass
        code = psql.wait()
        script_errors.seek(0)
        psql_errors.seek(0)
        script_message = script_errors.read().decode(errors="replace").strip()[-2000:]
        psql_message = psql_errors.read().decode(errors="replace").strip()
    if not restored and code != 0:
        raise DomainError(f"pg_restore failed, nothing was changed: {script_message}")
    if code != 0:
        if _ROWS_DIFFER in psql_message:
            found = psql_message.split(_ROWS_DIFFER + ": ", 1)[1].splitlines()[0]
            wrong = {t: (expected[t], n) for t, n in json.loads(found).items()}
            raise DomainError(
                f"The restored database differs from the backup (rows): {wrong}. "
                f"Nothing was changed."
            )
        raise DomainError(f"psql failed, nothing was changed: {psql_message[-2000:]}")
