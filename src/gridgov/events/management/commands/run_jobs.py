import time

from django.core.management.base import BaseCommand

from gridgov.events.services import deadlines_sweep


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (the deadline sweep) every --interval seconds. Each run is "
        "idempotent and keeps its state in the database, so a restart loses nothing; several "
        "copies may run at once (the sweep claims each warning by compare-and-swap)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument(
            "--once", action="store_true", help="Run one sweep and exit (for cron)."
        )

    def handle(self, *args, interval: float, once: bool, **options):
        while True:
            found = deadlines_sweep()
            if found:
                self.stdout.write(f"deadline warnings: {len(found)}")
            if once:
                return
            time.sleep(interval)
