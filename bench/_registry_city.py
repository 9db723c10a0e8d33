"""The registry benchmark's databases: the demo city (81,536 residents) and the demo city grown
to a city's registry by `gridgov demo_residents`, each made once and reused.

The bench reads the committed code (a snapshot of a git revision, default HEAD), so that the
work in progress of others in the tree neither breaks a run nor is measured before it lands.
Migrations reserved for issue 12 were applied empty when a database was made; when they are
filled in later, their SQL is applied here once (recorded in bench_schema_catch_up).
"""

import hashlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_registry"
DEMO_RESIDENTS = 81_536
# Filled in by issue 12's parts after the bench databases were made (applied empty then).
RESERVED = [
    ("care", "0003_reserved"),
    ("care", "0004_reserved"),
    ("care", "0005_reserved"),
    ("registry", "0006_reserved"),
    ("registry", "0007_reserved"),
    ("registry", "0008_reserved"),
]


def snapshot(revision: str) -> Path:
    """The `src` of a git revision, unpacked once under the temp dir; returns its path."""
    sha = subprocess.run(
        ["git", "rev-parse", revision], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = Path(tempfile.gettempdir()) / f"bench_registry_src_{sha[:12]}"
    if not (target / "src").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha, "src"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def database_use(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url


def django_setup(src: Path) -> None:
    os.environ.setdefault("GRIDGOV_DATA_DIR", tempfile.mkdtemp(prefix="gridgov-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.config.settings")
    os.environ.update(GRIDGOV_HTTPS="false", GRIDGOV_REQUIRE_2FA="false")
    sys.path.insert(0, str(src))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    schema_catch_up()


def schema_catch_up() -> None:
    """Apply once the SQL of reserved migrations filled in since the database was made."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_schema_catch_up"
            " (app text, name text, digest text, PRIMARY KEY (app, name))"
        )
        cursor.execute("SELECT app, name, digest FROM bench_schema_catch_up")
        done = {(app, name): digest for app, name, digest in cursor.fetchall()}
    for app, name in RESERVED:
        if (app, name) not in applied:
            continue  # migrate applied it as it is now
        out = io.StringIO()
        call_command("sqlmigrate", app, name, stdout=out, stderr=io.StringIO())
        sql = "\n".join(
            line
            for line in out.getvalue().splitlines()
            if line.strip()
            and not line.startswith("--")
            and line.strip() not in {"BEGIN;", "COMMIT;"}
        )
        digest = hashlib.sha256(sql.encode()).hexdigest()
        if not sql or done.get((app, name)) == digest:
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.execute(
                    "INSERT INTO bench_schema_catch_up VALUES (%s, %s, %s)"
                    " ON CONFLICT (app, name) DO UPDATE SET digest = EXCLUDED.digest",
                    [app, name, digest],
                )
            print(f"  caught up {app}.{name} (filled in after this database was made)")
        except Exception as error:  # noqa: BLE001 — reported, the run goes on
            print(f"  could not catch up {app}.{name}: {str(error).splitlines()[0]}")


def city_ensure(size: int, seed: int) -> None:
    """The demo city with at least `size` residents, analysed."""
    from django.core.management import call_command
    from django.db import connection

    from gridgov.demo.city import demo_loaded
    from gridgov.registry.models import Resident

    if not demo_loaded():
        started = time.perf_counter()
        call_command("demo", verbosity=0, stdout=io.StringIO())
        print(f"  loaded the demo city in {time.perf_counter() - started:.0f} s")
    have = Resident.objects.count()
    if have < size:
        from gridgov.demo.management.commands.demo_residents import residents_generate

        started = time.perf_counter()
        residents_generate(count=size - have, seed=seed)
        print(f"  generated {size - have} residents in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        # Planner statistics as a running server would have them (autovacuum may lag).
        cursor.execute("VACUUM ANALYZE" if have < size else "ANALYZE")
