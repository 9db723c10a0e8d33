"""Point Django at a throw-away database for a benchmark run (SQLite in a temp dir unless DATABASE_URL)."""

import os
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_setup() -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="gridgov-bench-"))
    os.environ.setdefault("GRIDGOV_DATA_DIR", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir


def gunicorn_serve(env: dict[str, str], *, workers: int, port: int, extra=()) -> subprocess.Popen:
    """gunicorn serving gridgov on 127.0.0.1:`port`, returned once /healthz answers."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "gridgov.config.wsgi",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        *extra,
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    for _ in range(300):
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")
