"""`gridgov report --period month --date 2026-10 --root 530702 --format pdf --out FILE`:
one area's report made here and now, from the rollups, as the queue's job makes it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.common.errors import DomainError
from gridgov.reports.periods import KINDS
from gridgov.reports.services import FORMATS, report_build_files


class Command(BaseCommand):
    help = "Make an area's report (Excel or PDF) for a day, week, month, quarter or year."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, choices=KINDS)
        parser.add_argument(
            "--date",
            required=True,
            help="the period: 2026-10-05, 2026-W41, 2026-10, 2026-Q4 or 2026",
        )
        parser.add_argument("--root", required=True, help="the area's code, e.g. 530702")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument("--out", required=True, help="the file to write")

    def handle(self, *args, period: str, date: str, root: str, fmt: str, out: str, **options):
        target = Path(out)
        # Checked before the report is made (it can take a while), and again on writing.
        if not target.parent.is_dir():
            raise CommandError(
                f"Cannot write {target}: the folder {target.parent} does not exist "
                "(create it or choose another --out)."
            )
        try:
            content = report_build_files(area_code=root, kind=period, date=date, fmt=fmt)
        except DomainError as error:
            raise CommandError(error.message) from error
        partial = target.with_name(target.name + ".part")
        try:
            partial.write_bytes(content)
            partial.replace(target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {target}: {error.strerror or error}.") from error
        self.stdout.write(f"{target} ({len(content):,} bytes)")
