import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.common.errors import DomainError
from gridgov.events.catalog_excel import catalog_bytes, catalog_import


class Command(BaseCommand):
    help = "Export the event catalog to Excel, or import an edited one (good rows saved, bad rows reported)."

    def add_arguments(self, parser):
        parser.add_argument("direction", choices=["export", "import"])
        parser.add_argument("file", type=Path)

    def handle(self, *args, direction: str, file: Path, **options):
        if direction == "export":
            file.write_bytes(catalog_bytes())
            self.stdout.write(f"wrote {file}")
            return
        if not file.exists():
            raise CommandError(f"{file}: no such file.")
        try:
            result = catalog_import(file.read_bytes())
        except DomainError as error:
            raise CommandError(error.message) from error
        for error in result["errors"]:
            self.stderr.write(json.dumps(error, ensure_ascii=False))
        self.stdout.write(
            f"created {result['created']}, updated {result['updated']}, rows with errors {len(result['errors'])}"
        )
        if result["errors"]:
            raise SystemExit(1)
