from django.core.management.base import BaseCommand

from gridgov.demo.city import demo_loaded
from gridgov.demo.field import positions_refresh


class Command(BaseCommand):
    help = (
        "Put the demo's grid workers on duty in their grids as of now (a position counts for "
        "GRIDGOV_POSITION_FRESH_MINUTES, 30 by default). `make run` calls it at each start."
    )

    def handle(self, *args, **options):
        if not demo_loaded():
            self.stdout.write("The demo city is not loaded; nothing to do.")
            return
        self.stdout.write(f"{positions_refresh()} demo workers on duty.")
