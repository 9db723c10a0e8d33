import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.areas.divisions import import_divisions
from gridgov.common.errors import DomainError


class Command(BaseCommand):
    help = "Load china-division CSV files (.csv or .csv.gz) for the subtree under --prefix, idempotently."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--prefix", default="", help="Division code of the subtree to load (e.g. 530702)."
        )

    def handle(self, *args, files: list[Path], prefix: str, **options):
        started = time.perf_counter()
        if prefix and not prefix.isdigit():
            raise CommandError(f"--prefix must be a division code (digits), not {prefix!r}.")
        for path in files:
            if not path.exists():
                raise CommandError(f"{path}: no such file.")
        try:
            result = import_divisions(files, prefix=prefix)
        except DomainError as error:
            raise CommandError(error.message) from error
        if result.orphans:
            self.stderr.write(
                f"{len(result.orphans)} rows skipped: their parent is in no file and not in the database "
                f"(first: {', '.join(result.orphans[:5])})."
            )
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged} "
            f"in {time.perf_counter() - started:.1f} s"
        )
