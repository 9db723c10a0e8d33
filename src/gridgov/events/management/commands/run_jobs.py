import time

from django.core.management.base import BaseCommand

from gridgov.dispatch.services import tracks_purge
from gridgov.events.photos import photos_purge_unattached
from gridgov.events.services import deadlines_sweep
from gridgov.notifications.services import deliveries_run
from gridgov.smartcodes.jobs import plate_jobs_run_queued


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (the deadline sweep, notification deliveries, plate jobs, the "
        "purge of old position tracks) every --interval seconds. Each run is "
        "idempotent and keeps its state in the database, so a restart loses nothing; several "
        "copies may run at once (the sweep claims each warning by compare-and-swap)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15.0)
        parser.add_argument(
            "--once", action="store_true", help="Run one sweep and exit (for cron)."
        )

    def handle(self, *args, interval: float, once: bool, **options):
        purged_at = 0.0
        while True:
            found = deadlines_sweep()
            if found:
                self.stdout.write(f"deadline warnings: {len(found)}")
            plate_jobs_run_queued()
            sent = deliveries_run()
            if any(sent.values()):
                self.stdout.write(f"deliveries: {sent}")
            if time.monotonic() - purged_at > 3600:
                tracks_purge()
                photos_purge_unattached()  # uploads never attached to a report
                purged_at = time.monotonic()
            if once:
                return
            time.sleep(interval)
