"""Time to import the whole country's divisions (provinces to villages), then the idempotent re-run."""

import io
import sys
import time
from pathlib import Path

from _setup import django_setup

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    django_setup()
    from django.core.management import call_command

    from gridgov.areas.models import Area

    files = [
        str(DATA / f"china-division-{n}.csv.gz")
        for n in ("provinces", "cities", "areas", "streets", "villages")
    ]
    missing = [f for f in files if not Path(f).exists()]
    if missing:
        sys.exit(f"missing {missing}")
    for run in ("first import", "second import (idempotent)"):
        out = io.StringIO()
        started = time.perf_counter()
        call_command("import_divisions", *files, stdout=out, stderr=io.StringIO())
        seconds = time.perf_counter() - started
        print(f"{run}: {seconds:.1f} s — {out.getvalue().strip()}")
    print(f"areas in the database: {Area.objects.count():,}")


if __name__ == "__main__":
    main()
