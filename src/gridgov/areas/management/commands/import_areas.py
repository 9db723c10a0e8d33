import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.models import User
from gridgov.areas.polygon_import import features_from_excel, features_from_geojson, import_polygons
from gridgov.common.errors import DomainError


class Command(BaseCommand):
    help = "Import area polygons from GeoJSON (.geojson/.json) or Excel (.xlsx): all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user", default=None, help="Act as this user (default: the first superuser)."
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file: Path, user: str | None, dry_run: bool, **options):
        actor = (
            User.objects.filter(username=user).first()
            if user
            else User.objects.filter(is_superuser=True).first()
        )
        if actor is None:
            raise CommandError("No such user (and no superuser to act as).")
        if not file.exists():
            raise CommandError(f"{file}: no such file.")
        try:
            content = file.read_bytes()
            rows = (
                features_from_excel(content)
                if file.suffix.lower() == ".xlsx"
                else features_from_geojson(content)
            )
            result = import_polygons(user=actor, rows=rows, dry_run=dry_run)
        except DomainError as error:
            raise CommandError(error.message) from error
        if result.errors:
            for error in result.errors:
                self.stderr.write(json.dumps(error.as_dict(), ensure_ascii=False))
            raise CommandError(f"{len(result.errors)} errors; nothing was imported.")
        self.stdout.write(f"created {result.created}, updated {result.updated}")
