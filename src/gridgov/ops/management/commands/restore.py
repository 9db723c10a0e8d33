from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gridgov.common.errors import DomainError
from gridgov.ops.services import backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the media folder with a backup made by `gridgov backup`. "
        "Stop the app servers and the queue consumers first, and start them after: the restore "
        "moves every cache version counter on, so a process left running rebuilds its cached "
        "catalogs and area index, but its requests and tasks meanwhile would mix old and new "
        "data. A refused restore changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even over a database at another migration state.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, archive: Path, force: bool, interactive: bool, **options):
        if interactive:
            target = connection.settings_dict["NAME"]
            answer = input(
                f"This replaces the database {target} and the media folder "
                f"{settings.MEDIA_ROOT} with {archive}. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restored = backup_restore(archive=archive, force=force)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"restored {restored.archive} of {restored.created_at}: {restored.tables} tables, "
            f"{restored.rows} rows, {restored.media_files} media files"
        )
        self.stdout.write(
            "cache version counters moved on: running processes rebuild their caches; "
            "(re)start the app servers and queue consumers now if they were not stopped"
        )
        if restored.pending_migrations:
            self.stdout.write(
                f"this code has {len(restored.pending_migrations)} migrations the backup has not "
                f"(first: {restored.pending_migrations[0]}): run `gridgov migrate`"
            )
