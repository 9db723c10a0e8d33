import csv
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gridgov.events.calendar import calendar_changed
from gridgov.events.models import CalendarDay


class Command(BaseCommand):
    help = (
        "Load public holidays and swapped working days (调休) from a CSV with the columns "
        "date,is_workday,name (e.g. 2026-10-01,0,国庆节 and 2026-10-10,1,国庆调休). All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file.")
        rows = []
        with open(file, encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    day = dt.date.fromisoformat((row.get("date") or "").strip())
                except ValueError:
                    raise CommandError(f"line {line}: date must be YYYY-MM-DD") from None
                flag = (row.get("is_workday") or "").strip().lower()
                if flag not in {"0", "1", "true", "false"}:
                    raise CommandError(f"line {line}: is_workday must be 0 or 1")
                rows.append((day, flag in {"1", "true"}, (row.get("name") or "").strip()))
        with transaction.atomic():
            for day, workday, name in rows:
                CalendarDay.objects.update_or_create(
                    date=day, defaults={"is_workday": workday, "name": name}
                )
            calendar_changed()
        self.stdout.write(f"{len(rows)} days loaded")
