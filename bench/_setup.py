"""Point Django at a throw-away database for a benchmark run (SQLite in a temp dir unless DATABASE_URL)."""

import os
import sys
import tempfile
from pathlib import Path


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
