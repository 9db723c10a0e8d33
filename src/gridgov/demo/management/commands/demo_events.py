import time

from django.core.management.base import BaseCommand, CommandError

from gridgov.demo.events_bulk import events_generate


class Command(BaseCommand):
    help = (
        "Add N generated events to the demo city, spread over the last D days, in every state, "
        "area, subclass and source (COPY on PostgreSQL): the platform at a city's volume."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--days", type=int, default=730)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--no-timeline", action="store_true", help="Skip the report step of each timeline."
        )

    def handle(self, *args, count: int, days: int, seed: int | None, no_timeline: bool, **options):
        if count < 0:
            raise CommandError(f"--count must be 0 or more, not {count}.")
        if days < 1:
            raise CommandError(f"--days must be 1 or more, not {days}.")
        started = time.perf_counter()
        try:
            written = events_generate(count=count, days=days, seed=seed, timeline=not no_timeline)
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Added {written} events over {days} days in {elapsed:.1f} s "
            f"({written / elapsed if elapsed else 0:.0f}/s); numbers start with G."
        )
