"""`gridgov rollups rebuild [--since DATE]` recomputes the daily rollup from events;
`gridgov rollups verify [--since DATE]` recomputes and compares, exiting 1 on a difference."""

import argparse
import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError

from gridgov.analytics.services import rollups_rebuild, rollups_verify


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date like 2026-01-31, not {value!r}") from None


class Command(BaseCommand):
    help = "Rebuild or verify the daily rollup of events (rates read it)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "verify"])
        parser.add_argument("--since", type=_date, help="only the days from this local date on")
        parser.add_argument(
            "--engine",
            choices=["sql", "python"],
            help="sql (PostgreSQL's GROUP BY, the default there) or python (streaming)",
        )

    def handle(self, *args, action: str, since: dt.date | None, engine: str | None, **options):
        started = time.perf_counter()
        if action == "rebuild":
            written = rollups_rebuild(since=since, engine=engine)
            self.stdout.write(
                f"rollup rebuilt: {written} rows in {time.perf_counter() - started:.1f} s"
            )
            return
        differences = rollups_verify(since=since, engine=engine)
        if differences:
            for difference in differences:
                self.stderr.write(json.dumps(difference, default=str, ensure_ascii=False))
            raise CommandError(
                f"the rollup differs from the events ({len(differences)} keys shown); "
                "run `gridgov rollups rebuild`",
                returncode=1,
            )
        self.stdout.write(f"rollup verified in {time.perf_counter() - started:.1f} s: equal")
