import time

from django.core.management.base import BaseCommand

from gridgov.demo.assessment import build_assessment
from gridgov.demo.care import build_care
from gridgov.demo.city import ADMIN_PASSWORD, DEMO_LOGINS, DEMO_PASSWORD, demo_loaded, load_demo


class Command(BaseCommand):
    help = "Load the Gucheng demo city (530702) once: real divisions, generated grids, people and places."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=530702)
        parser.add_argument(
            "--areas-only",
            action="store_true",
            help="Skip the registry (compounds, residents, shops …).",
        )

    def handle(self, *args, seed: int, areas_only: bool, **options):
        if demo_loaded():
            self.stdout.write("The Gucheng demo city is already loaded.")
        else:
            started = time.perf_counter()
            result = load_demo(seed=seed, with_registry=not areas_only)
            if not areas_only:
                result.records |= build_care(seed=seed)
                result.records |= build_assessment()
            self.stdout.write(
                f"Loaded the Gucheng demo city in {time.perf_counter() - started:.1f} s:"
            )
            self.stdout.write("  areas: " + ", ".join(f"{k} {v}" for k, v in result.areas.items()))
            if result.records:
                self.stdout.write(
                    "  records: " + ", ".join(f"{k} {v}" for k, v in result.records.items())
                )
            self.stdout.write(
                "  Streets, communities and grids are generated inside the real outline; people and places are generated."
            )
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/admin/ and /map/):")
        self.stdout.write(f"  admin / {ADMIN_PASSWORD}   superuser")
        for username, _role, code, description in DEMO_LOGINS:
            self.stdout.write(
                f"  {username} / {DEMO_PASSWORD}   {description}" + (f" ({code})" if code else "")
            )
