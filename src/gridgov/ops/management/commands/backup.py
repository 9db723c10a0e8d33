from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.common.errors import DomainError
from gridgov.ops.services import backup_create


class Command(BaseCommand):
    help = (
        "Write the database and the media folder into one .tar.gz with a manifest "
        "(default folder: $GRIDGOV_DATA_DIR/backups). Safe while the app runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", type=Path, default=None, help="Folder to write the archive into."
        )

    def handle(self, *args, to: Path | None, **options):
        folder = to or Path(settings.DATA_DIR) / "backups"
        try:
            path = backup_create(to=folder)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
