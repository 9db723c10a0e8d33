"""The database half of a backup: SQLite's online backup API, or pg_dump's custom format.

Each dump also counts the rows of every table in the same snapshot it dumps, so a restore can
check itself against the manifest: on SQLite the counts are read from the copy; on PostgreSQL
a REPEATABLE READ transaction exports its snapshot and pg_dump reads that very snapshot.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from gridgov.common.errors import DomainError

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


def load(path: Path) -> None:
    """Replace the whole live database (tables the dump lacks too) with the dump at `path`."""
    _outside_transaction()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _sqlite_load(path)
    elif connection.vendor == "postgresql":
        _postgres_load(path)
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


def _sqlite_load(path: Path) -> None:
    source = sqlite3.connect(path)
    try:
        # Page by page into the live connection, under the database's write lock: readers in
        # other processes see the old or the new database, never a mix.
        source.backup(connection.connection)
    finally:
        source.close()


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


def _postgres_load(path: Path) -> None:
    # pg_restore --clean cannot drop a partitioned table's partitions (their inherited keys),
    # nor what the backup lacks: the schema is dropped and made again instead, followed by the
    # dump as SQL, all in one transaction: a failure anywhere leaves the database as it was.
    # Our own session must not hold anything the DROP waits for.
    connection.close()
    env = _postgres_env()
    try:
        script = subprocess.Popen(  # noqa: S603 (fixed programs, no shell)
            ["pg_restore", "--no-owner", "--no-acl", "--file=-", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as error:
        raise DomainError(_MISSING.format(program="pg_restore")) from error
    try:
        result = subprocess.run(  # noqa: S603
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
            stdin=script.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as error:
        script.kill()
        raise DomainError(_MISSING.format(program="psql")) from error
    finally:
        script.stdout.close()
    script_errors = script.stderr.read().decode(errors="replace")
    if script.wait() != 0:
        raise DomainError(f"pg_restore failed: {script_errors.strip()[-2000:]}")
    if result.returncode != 0:
        raise DomainError(f"psql failed, nothing was changed: {result.stderr.strip()[-2000:]}")
