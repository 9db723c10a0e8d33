import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gridgov.areas import spatial_index
from gridgov.areas.geometry import check_point
from gridgov.common.errors import DomainError

BATCH = 10_000


def _node(node: spatial_index.AreaNode, level: int) -> dict:
    return {"code": node.code, "name": node.name, "kind": node.kind, "level": level}


class Command(BaseCommand):
    help = (
        "Print the chain of areas containing LON LAT (WGS84) as JSON; with '-', read 'lon lat' lines "
        'from stdin and print one JSON line each: {"lon", "lat", "code"} (code null outside).'
    )

    def add_arguments(self, parser):
        parser.add_argument("lon")
        parser.add_argument("lat", nargs="?")

    def handle(self, *args, lon: str, lat: str | None, **options):
        index = spatial_index.get_index()
        if lon == "-":
            self._stream(index)
            return
        if lat is None:
            raise CommandError("Give LON LAT, or '-' to read lines from stdin.")
        try:
            x, y = check_point(lon, lat)
        except DomainError as error:
            raise CommandError(error.message) from error
        chain = index.chain(index.deepest(x, y))
        self.stdout.write(
            json.dumps([_node(n, i + 1) for i, n in enumerate(chain)], ensure_ascii=False)
        )

    def _stream(self, index: spatial_index.AreaIndex) -> None:
        batch: list[str] = []
        for line in sys.stdin:
            batch.append(line)
            if len(batch) >= BATCH:
                self._answer(index, batch)
                batch = []
        self._answer(index, batch)

    def _answer(self, index: spatial_index.AreaIndex, lines: list[str]) -> None:
        parsed: list[tuple[float, float] | str] = []
        for line in lines:
            parts = line.replace(",", " ").split()
            try:
                if len(parts) != 2:
                    raise DomainError("expected 'lon lat'")
                parsed.append(check_point(parts[0], parts[1], in_china=False))
            except DomainError as error:
                parsed.append(error.message)
        good = [p for p in parsed if isinstance(p, tuple)]
        answers = iter(index.deepest_many([p[0] for p in good], [p[1] for p in good]))
        out = []
        for item in parsed:
            if isinstance(item, str):
                out.append(
                    json.dumps(
                        {"lon": None, "lat": None, "code": None, "error": item}, ensure_ascii=False
                    )
                )
            else:
                node = next(answers)
                out.append(
                    json.dumps(
                        {"lon": item[0], "lat": item[1], "code": node.code if node else None}
                    )
                )
        if out:
            self.stdout.write("\n".join(out))
