import json

from django.core.management.base import BaseCommand, CommandError

from gridgov.areas.codes import normalize_code
from gridgov.areas.models import Area
from gridgov.areas.validation import validate_tree


class Command(BaseCommand):
    help = "Report children outside their parent, overlapping siblings and gaps under --root (JSON lines)."

    def add_arguments(self, parser):
        parser.add_argument("--root", default=None)
        parser.add_argument("--tolerance-m2", type=float, default=1.0)

    def handle(self, *args, root: str | None, tolerance_m2: float, **options):
        queryset = Area.objects.all()
        if root:
            top = Area.objects.filter(code=normalize_code(root)).first()
            if top is None:
                raise CommandError(f"There is no area with code {root}.")
            queryset = queryset.filter(path__startswith=top.path)
        findings = validate_tree(
            list(queryset.only("id", "code", "parent_id", "geometry")), tolerance_m2
        )
        for finding in findings:
            self.stdout.write(json.dumps(finding.as_dict(), ensure_ascii=False))
        self.stderr.write(f"{len(findings)} findings")
        if findings:
            raise SystemExit(1)
