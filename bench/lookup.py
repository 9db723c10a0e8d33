"""Point-lookup throughput: the demo's 620 grids and a 50,000-polygon tree.

Prints points per second for the in-memory STRtree index (one point at a time and
vectorised) and for a naive loop over every polygon, run in the same process, and
the ratio between them.
"""

import random
import time

import numpy as np
import shapely

from _setup import django_setup


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} points/s"


def measure(
    label: str,
    index,
    polygons: list,
    bounds: tuple,
    rng: random.Random,
    points: int,
    naive_points: int,
) -> None:
    min_x, min_y, max_x, max_y = bounds
    xs = [rng.uniform(min_x, max_x) for _ in range(points)]
    ys = [rng.uniform(min_y, max_y) for _ in range(points)]

    started = time.perf_counter()
    single = [index.deepest(x, y) for x, y in zip(xs, ys, strict=True)]
    single_s = time.perf_counter() - started

    started = time.perf_counter()
    batch = index.deepest_many(xs, ys)
    batch_s = time.perf_counter() - started

    geometries = np.array(polygons, dtype=object)
    started = time.perf_counter()
    naive = []
    for x, y in zip(xs[:naive_points], ys[:naive_points], strict=True):
        hits = np.flatnonzero(shapely.contains_xy(geometries, x, y))
        naive.append(hits)
    naive_s = time.perf_counter() - started

    agree = sum(
        (a is None) == (len(h) == 0) for a, h in zip(single[:naive_points], naive, strict=True)
    )
    assert [a.code if a else None for a in single] == [b.code if b else None for b in batch]
    naive_rate = naive_points / naive_s
    print(f"{label}: {len(polygons):,} polygons")
    print(
        f"  index, one point at a time: {rate(points, single_s)}  ({single_s / points * 1e6:.1f} µs/point)"
    )
    print(f"  index, vectorised:          {rate(points, batch_s)}")
    print(f"  naive loop over polygons:   {naive_rate:,.0f} points/s  ({naive_points} points)")
    print(
        f"  ratio index/naive: {points / single_s / naive_rate:,.1f}x single, {points / batch_s / naive_rate:,.1f}x vectorised"
    )
    print(f"  inside/outside agreement with the naive loop: {agree}/{naive_points}")


def main() -> None:
    django_setup()
    from django.core.management import call_command

    from gridgov.areas import spatial_index
    from gridgov.areas.models import Area

    call_command("demo", "--areas-only", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    index = spatial_index.get_index()
    district = Area.objects.get(code="530702")
    grids = [
        shapely.geometry.shape(g)
        for g in Area.objects.filter(kind="grid").values_list("geometry", flat=True)
    ]
    rng = random.Random(1)
    bounds = (district.min_lon, district.min_lat, district.max_lon, district.max_lat)
    measure("Gucheng demo grids", index, grids, bounds, rng, points=100_000, naive_points=5_000)

    # A synthetic 50,000-polygon tree: 1 root, 50 streets, 50,000 grid squares of ~200 m.
    side = 0.002
    rows, cols = 200, 250
    rows_data = [(1, "100000", "root", "county", 0, None, None)]
    polygons = []
    for r in range(rows):
        for c in range(cols):
            box = shapely.box(
                100 + c * side, 26 + r * side, 100 + (c + 1) * side, 26 + (r + 1) * side
            )
            polygons.append(box)
            n = len(polygons)
            rows_data.append(
                (n + 1, f"100000{n:09d}", f"g{n}", "grid", 1, 1, shapely.geometry.mapping(box))
            )
    big = spatial_index.AreaIndex.from_rows(rows_data)
    measure(
        "synthetic tree",
        big,
        polygons,
        (100, 26, 100 + cols * side, 26 + rows * side),
        rng,
        points=100_000,
        naive_points=300,
    )


if __name__ == "__main__":
    main()
