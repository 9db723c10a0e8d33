"""The system under load: its own PostgreSQL database, gunicorn, Huey consumers, and faults.

Loopback only. The database is copied from a template (`load_tpl_<events>`) built once with
`gridgov demo` + `gridgov demo_events` and kept, so a second run starts in seconds instead of
rebuilding a million events; `--rebuild` makes it again. The cache and the queue share Redis
database 7 (the scenario's own; flushed at the start).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
PG_SERVER = os.environ.get("LOAD_PG_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/7")
DATABASE = "load"
# The cluster the fault scenario restarts (`pg_ctlcluster VERSION NAME`) and Redis's port:
# the machine's own by default; point all three at a private cluster and Redis to try the
# scenario without cutting anyone off (docs/decisions/0020).
PG_CLUSTER = tuple(os.environ.get("LOAD_PG_CLUSTER", "15 main").split())
REDIS_PORT = REDIS_URL.rsplit(":", 1)[1].split("/")[0]
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    REDIS_PORT,
    "--save",
    "",
    "--appendonly",
    "no",
]


def _admin(sql: str) -> None:
    with psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql)


def _exists(name: str) -> bool:
    with psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5) as connection:
        return bool(
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


_SCHEMA_CHECK = """
from django.apps import apps
from django.db import connection, transaction
missing = []
with connection.cursor() as cursor:
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        columns = ", ".join(connection.ops.quote_name(f.column) for f in meta.concrete_fields)
        try:
            with transaction.atomic():
                cursor.execute(f"SELECT {columns} FROM {connection.ops.quote_name(meta.db_table)} LIMIT 0")
        except Exception:
            missing.append(meta.label)
print("MISSING:" + ",".join(missing))
"""


def _comment(name: str) -> str | None:
    with psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return row[0] if row else None


def migrations_stamp() -> str:
    """A digest of every migration file: a template built with others is stale (a migration
    edited in place would otherwise leave a table missing that `migrate` thinks is there)."""
    digest = hashlib.sha256()
    for path in sorted((HERE.parents[1] / "src" / "gridgov").glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return f"migrations:{digest.hexdigest()[:16]}"


def database_url(name: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + f"/{name}"


class Stack:
    def __init__(self, *, port: int, events: int, days: int, log_dir: Path):
        self.port = port
        self.events = events
        self.days = days
        self.log_dir = log_dir
        self.template = f"load_tpl_{events}"
        self.data_dir = tempfile.mkdtemp(prefix="gridgov-load-")
        self.server: subprocess.Popen | None = None
        self.consumers: list[subprocess.Popen] = []
        self.env = os.environ | {
            "DATABASE_URL": database_url(DATABASE),
            "REDIS_URL": REDIS_URL,
            "GRIDGOV_QUEUE_URL": REDIS_URL,
            "SECRET_KEY": "load-test-secret-key-not-for-use-" + "Zq8Lw3Nx6Tc1Vb4Hj7Kp2Rs5",
            "ALLOWED_HOSTS": "127.0.0.1",
            "GRIDGOV_DATA_DIR": self.data_dir,
            "DEBUG": "false",
            "GRIDGOV_HTTPS": "false",  # loopback, no proxy in front
            "GRIDGOV_REQUIRE_2FA": "false",
            "GRIDGOV_JOBS_IN_PROCESS": "false",
            # 500 users on one loopback address would spend an hourly budget in a second.
            "GRIDGOV_ANONYMOUS_WRITES_PER_HOUR": "100000000",
            "LOG_LEVEL": "ERROR",
            # A plate job whose consumer died is queued again after this (fault scenario).
            "GRIDGOV_PLATE_JOB_STALE_SECONDS": "15",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    def gridgov(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [str(BIN / "gridgov"), *args],
            env=env or self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            sys.exit(f"gridgov {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        return result.stdout

    def has_command(self, name: str) -> bool:
        return name in self.gridgov("help", "--commands").split()

    # The database ------------------------------------------------------------------------
    def template_ensure(self, rebuild: bool) -> None:
        stamp = migrations_stamp()
        if _exists(self.template) and not rebuild:
            same = _comment(self.template) == stamp
            print(
                f"== database: copied from {self.template} (built by an earlier run"
                + ("" if same else "; migrations changed since: migrated, then checked")
                + ")"
            )
            return
        building = f"{self.template}_building"
        _admin(f"DROP DATABASE IF EXISTS {building} WITH (FORCE)")
        _admin(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        _admin(f"CREATE DATABASE {building}")
        env = self.env | {"DATABASE_URL": database_url(building)}
        started = time.perf_counter()
        self.gridgov("migrate", "--no-input", env=env)
        print(f"== building {self.template}: the demo city …", flush=True)
        self.gridgov("demo", env=env)
        if self.events:
            print(f"   + {self.events:,} events over {self.days} days (demo_events) …", flush=True)
            print(
                "   "
                + self.gridgov(
                    "demo_events", "--count", str(self.events), "--days", str(self.days), env=env
                )
                .strip()
                .splitlines()[-1]
            )
        with psycopg.connect(
            database_url(building).replace("postgres://", "postgresql://"), autocommit=True
        ) as connection:
            connection.execute("VACUUM ANALYZE")
        _admin(f"ALTER DATABASE {building} RENAME TO {self.template}")
        _admin(f"COMMENT ON DATABASE {self.template} IS '{stamp}'")
        print(f"   built in {time.perf_counter() - started:.0f} s (kept for the next run)")

    def database_create(self) -> None:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        _admin(f"CREATE DATABASE {DATABASE} TEMPLATE {self.template}")
        # Migrations added since the template was built (cheap when there are none).
        self.gridgov("migrate", "--no-input")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()

    def schema_missing(self) -> list[str]:
        """Models whose table or columns the database lacks: a template built before a
        migration was edited in place (`migrate` believes it applied) is not usable."""
        out = self.gridgov("shell", "-c", _SCHEMA_CHECK)
        line = out.strip().splitlines()[-1] if out.strip() else "MISSING:"
        return [name for name in line.removeprefix("MISSING:").split(",") if name]

    def event_count(self) -> int:
        with self.connect() as connection:
            return connection.execute("SELECT count(*) FROM events_event").fetchone()[0]

    def connect(self) -> psycopg.Connection:
        url = database_url(DATABASE).replace("postgres://", "postgresql://")
        return psycopg.connect(url, autocommit=True, connect_timeout=5)

    # Processes --------------------------------------------------------------------------
    def start(self, *, workers: int, consumers: int) -> None:
        self.server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "gridgov.config.wsgi",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--access-logfile",
                "/dev/null",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_dir / "gunicorn.log", "w"),  # noqa: SIM115
        )
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit(f"gunicorn did not answer; see {self.log_dir / 'gunicorn.log'}")
        for n in range(consumers):
            self.consumers.append(self._consumer(n))

    def _consumer(self, n: int) -> subprocess.Popen:
        return subprocess.Popen(
            [str(BIN / "gridgov"), "run_huey", "--workers", "1"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_dir / f"huey-{n}.log", "a"),  # noqa: SIM115
        )

    def consumer_kill_busiest(self) -> int:
        """SIGKILL the consumer that is working (as a host dies: no clean-up) and start
        another in its place. Returns the killed process id."""
        victim = busiest(self.consumers)
        victim.kill()
        victim.wait()
        self.consumers[self.consumers.index(victim)] = self._consumer(len(self.consumers))
        return victim.pid

    def consumers_alive(self) -> int:
        return sum(1 for c in self.consumers if c.poll() is None)

    def stop(self) -> None:
        for process in [*self.consumers, self.server]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [*self.consumers, self.server]:
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def drop(self) -> None:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


# Faults: each returns (down_at, up_at) in epoch seconds ----------------------------------
def postgres_restart(down_seconds: float) -> tuple[float, float]:
    """Stop the whole PostgreSQL cluster for `down_seconds`, then start it again."""
    ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER]
    # A checkpoint while it still serves, so the shutdown's own checkpoint has little to
    # write and the outage lasts about `down_seconds`, not as long as flushing the buffers.
    with psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5) as connection:
        connection.execute("CHECKPOINT")
    down_at = time.time()
    subprocess.run([*ctl, "stop", "-m", "fast"], check=True, capture_output=True)
    time.sleep(down_seconds)
    subprocess.run([*ctl, "start"], check=True, capture_output=True)
    return down_at, time.time()


def redis_restart(down_seconds: float) -> tuple[float, float]:
    """Shut Redis down without saving (every database of it is empty after) and start it."""
    down_at = time.time()
    subprocess.run(
        ["redis-cli", "-p", REDIS_PORT, "shutdown", "nosave"], check=False, capture_output=True
    )
    time.sleep(down_seconds)
    subprocess.run(REDIS_START, check=True, capture_output=True)
    for _ in range(50):
        if (
            subprocess.run(
                ["redis-cli", "-p", REDIS_PORT, "ping"], capture_output=True, text=True
            ).stdout.strip()
            == "PONG"
        ):
            break
        time.sleep(0.1)
    return down_at, time.time()


def busiest(processes: list[subprocess.Popen], seconds: float = 1.0) -> subprocess.Popen:
    """The process that used the most CPU over `seconds`: the consumer running the job."""

    def cpu(process: subprocess.Popen) -> int:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0
        return int(fields[11]) + int(fields[12])  # utime + stime, in ticks

    before = {p.pid: cpu(p) for p in processes}
    time.sleep(seconds)
    return max(processes, key=lambda p: cpu(p) - before[p.pid])
