import json

from django.core.management.base import BaseCommand, CommandError

from gridgov.areas.models import Area
from gridgov.party.selectors import party_report


class Command(BaseCommand):
    help = (
        "Print one JSON object with the Party-building rules report for an area (default: "
        "the top of the tree): organizations by kind, compounds and grids without an "
        "organization, branch rule violations, households without a member, central "
        "households and members out of bounds, household coverage (0–1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--root", default=None)

    def handle(self, *args, root: str | None, **options):
        area = (
            Area.objects.filter(code=root).first()
            if root
            else Area.objects.filter(parent__isnull=True).order_by("code").first()
        )
        if area is None:
            raise CommandError(f"No area {root}." if root else "The grid tree is empty.")
        self.stdout.write(json.dumps(party_report(area), ensure_ascii=False))
