"""Point lookup: the area index beside shapely's own STRtree on the same polygons, same run.

Two trees: the demo city (district, streets, communities and 620 grids) and a synthetic
50,000-grid tree. The baseline is a bare shapely STRtree over the grids, queried with the
`intersects` predicate (prepared polygons) one point at a time and as one vectorised call:
it answers only "which grids cover the point", where the index answers the deepest area of
the whole tree (and its chain). Also: how long building the index takes, and agreement with
a brute-force scan of every polygon. Times are CPU seconds of this process (best of 3).
"""

import gc
import random
import time

import numpy as np
import shapely

from _setup import django_setup

POINTS = 100_000
SINGLE = 20_000


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds / 1e6:6.2f}M points/s"


def best_of(runs: int, work) -> float:
    # CPU time, not wall time: on a shared machine the wall clock measures the neighbours.
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def measure(
    label: str, index, leaves: list, all_polygons: list, bounds, rng, checked: int = 2000
) -> None:
    min_x, min_y, max_x, max_y = bounds
    xs = np.array([rng.uniform(min_x, max_x) for _ in range(POINTS)])
    ys = np.array([rng.uniform(min_y, max_y) for _ in range(POINTS)])
    leaf_array = np.array(leaves, dtype=object)
    shapely.prepare(leaf_array)
    baseline = shapely.STRtree(leaf_array)
    points = shapely.points(xs, ys)
    pairs = (xs[:SINGLE].tolist(), ys[:SINGLE].tolist())

    def shapely_single():
        for x, y in zip(*pairs, strict=True):
            baseline.query(shapely.Point(x, y), predicate="intersects")

    def index_single():
        for x, y in zip(*pairs, strict=True):
            index.deepest(x, y)

    def shapely_batch():
        baseline.query(shapely.points(xs, ys), predicate="intersects")

    def shapely_batch_paused():
        # The strongest baseline: the garbage collector paused while the points are made.
        gc.disable()
        try:
            shapely_batch()
        finally:
            gc.enable()

    base_plain = best_of(3, shapely_batch)
    base_batch = best_of(3, shapely_batch_paused)
    ours_batch = best_of(3, lambda: index.deepest_many(xs, ys))
    base_one = best_of(3, shapely_single) / SINGLE
    ours_one = best_of(3, index_single) / SINGLE

    answers = index.deepest_many(xs, ys)
    singles = [index.deepest(x, y) for x, y in zip(*pairs, strict=True)]
    assert singles == answers[:SINGLE], "single and vectorised answers differ"
    # Brute force over every polygon of the tree: the deepest covering one, lowest code on ties.
    every = np.array([g for g, _node in all_polygons], dtype=object)
    nodes = [node for _g, node in all_polygons]
    agree = 0
    for i in range(checked):
        covering = np.flatnonzero(shapely.intersects_xy(every, xs[i], ys[i]))
        expected = (
            min((nodes[k] for k in covering), key=lambda n: (-n.depth, n.code))
            if len(covering)
            else None
        )
        agree += expected == answers[i]
    inside = sum(a is not None for a in answers)
    leaf_hits = len(np.unique(baseline.query(points, predicate="intersects")[0]))
    print(f"{label}: {len(all_polygons):,} polygons in the tree, {len(leaves):,} leaves")
    print(
        f"  vectorised: index {rate(POINTS, ours_batch)}   shapely STRtree(leaves) "
        f"{rate(POINTS, base_batch)} (GC paused; {rate(POINTS, base_plain).strip()} as is)   "
        f"index/shapely {base_batch / ours_batch:.2f}x"
    )
    print(
        f"  one point:  index {ours_one * 1e6:6.2f} µs        shapely STRtree(leaves) "
        f"{base_one * 1e6:6.2f} µs         index/shapely {ours_one / base_one:.2f}x"
    )
    print(
        f"  {inside:,} of {POINTS:,} points in some area ({leaf_hits:,} in a leaf); "
        f"brute-force agreement {agree}/{checked}"
    )


def build_times(spatial_index, rows: list):
    cpu, started = time.process_time(), time.perf_counter()
    index = spatial_index.AreaIndex.from_rows(rows)
    ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
    geometries = [row[6] for row in rows if row[6]]
    cpu, started = time.process_time(), time.perf_counter()
    shapes = [shapely.geometry.shape(g) for g in geometries]
    shapely.prepare(shapes)
    shapely.STRtree(shapes)
    base, base_cpu = time.perf_counter() - started, time.process_time() - cpu
    return index, (
        f"  build from {len(rows):,} rows: index {ours * 1000:.0f} ms wall, {ours_cpu * 1000:.0f} ms CPU "
        f"(target <= 500 ms); shape() one by one + prepare + STRtree {base * 1000:.0f} ms wall, "
        f"{base_cpu * 1000:.0f} ms CPU"
    )


def main() -> None:
    django_setup()
    from django.core.management import call_command

    from gridgov.areas import spatial_index
    from gridgov.areas.models import Area

    call_command("demo", "--areas-only", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    rows = list(
        Area.objects.values_list("id", "code", "name", "kind", "depth", "parent_id", "geometry")
    )
    index = spatial_index.AreaIndex.from_rows(rows)
    parents = {row[5] for row in rows}
    with_geometry = [
        (shapely.geometry.shape(row[6]), index.nodes[row[0]]) for row in rows if row[6]
    ]
    leaves = [g for g, node in with_geometry if node.id not in parents]
    district = Area.objects.get(code="530702")
    rng = random.Random(1)
    # A margin around the district so some points fall outside everything.
    pad = 0.01
    bounds = (
        district.min_lon - pad,
        district.min_lat - pad,
        district.max_lon + pad,
        district.max_lat + pad,
    )
    measure("demo city (Gucheng)", index, leaves, with_geometry, bounds, rng)
    print(build_times(spatial_index, rows)[1])

    # A synthetic tree: 1 county, 50 streets (bands of 4 rows), 50,000 grid squares of ~200 m,
    # with a hole in every 7th grid (the street answers there).
    side = 0.002
    grid_rows, grid_cols = 200, 250
    rows = [(1, "100000", "county", "county", 0, None, None)]
    county = shapely.box(100, 26, 100 + grid_cols * side, 26 + grid_rows * side)
    rows[0] = (*rows[0][:6], shapely.geometry.mapping(county))
    for band in range(grid_rows // 4):
        street = shapely.box(
            100, 26 + band * 4 * side, 100 + grid_cols * side, 26 + (band + 1) * 4 * side
        )
        rows.append(
            (
                2 + band,
                f"100000{band:03d}",
                f"s{band}",
                "street",
                1,
                1,
                shapely.geometry.mapping(street),
            )
        )
    for r in range(grid_rows):
        for c in range(grid_cols):
            n = r * grid_cols + c
            box = shapely.box(
                100 + c * side, 26 + r * side, 100 + (c + 1) * side, 26 + (r + 1) * side
            )
            if n % 7 == 0:
                box = box.difference(box.centroid.buffer(side / 4))
            street = r // 4
            rows.append(
                (
                    100 + n,
                    f"100000{street:03d}{n:06d}",
                    f"g{n}",
                    "grid",
                    2,
                    2 + street,
                    shapely.geometry.mapping(box),
                )
            )
    print()
    big, build_line = build_times(spatial_index, rows)
    parents = {row[5] for row in rows}
    with_geometry = [(shapely.geometry.shape(row[6]), big.nodes[row[0]]) for row in rows]
    leaves = [g for g, node in with_geometry if node.id not in parents]
    measure(
        "synthetic tree",
        big,
        leaves,
        with_geometry,
        (100 - 0.01, 26 - 0.01, 100 + grid_cols * side + 0.01, 26 + grid_rows * side + 0.01),
        rng,
        checked=200,
    )
    print(build_line)


if __name__ == "__main__":
    main()
