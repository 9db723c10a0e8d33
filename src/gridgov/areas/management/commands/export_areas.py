import json

from django.core.management.base import BaseCommand, CommandError

from gridgov.areas.codes import normalize_code
from gridgov.areas.export import feature_collection
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError


class Command(BaseCommand):
    help = "Print the areas under --root (default: every root) as a GeoJSON FeatureCollection."

    def add_arguments(self, parser):
        parser.add_argument("--root", default=None, help="Code of the top area to export.")
        parser.add_argument("--format", default="geojson", choices=["geojson"])
        parser.add_argument(
            "--max-depth", type=int, default=None, help="Levels below the root to include."
        )

    def handle(self, *args, root: str | None, max_depth: int | None, **options):
        if root:
            try:
                top = Area.objects.filter(code=normalize_code(root)).first()
            except DomainError as error:
                raise CommandError(error.message) from error
            if top is None:
                raise CommandError(f"There is no area with code {root}.")
            queryset = Area.objects.filter(path__startswith=top.path)
            root_depth = top.depth
        else:
            queryset = Area.objects.all()
            root_depth = 0
        if max_depth is not None:
            queryset = queryset.filter(depth__lte=root_depth + max_depth)
        areas = queryset.order_by("depth", "code").iterator(chunk_size=2000)
        json.dump(feature_collection(areas, root_depth), self.stdout, ensure_ascii=False)
        self.stdout.write("")
