"""Import of the china-division CSVs (provinces, cities, areas, streets, villages).

Each file is recognised by its header. Rows are loaded level by level with bulk
writes, so the whole country (about 665,000 units) loads in minutes; running it
again changes nothing (codes are the keys, names and parents are updated).
"""

import csv
import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from gridgov.areas.codes import KIND_BY_LENGTH, normalize_code
from gridgov.areas.models import Area
from gridgov.areas.services import tree_version_bump
from gridgov.common.errors import DomainError

BATCH = 5000


@dataclass
class DivisionImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    orphans: list[str] = field(default_factory=list)


def read_division_rows(path: Path) -> Iterable[tuple[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if (
                not reader.fieldnames
                or "code" not in reader.fieldnames
                or "name" not in reader.fieldnames
            ):
                raise DomainError(
                    f"{path}: not a division CSV (needs the columns code and name).", field="file"
                )
            for line, row in enumerate(reader, start=2):
                try:
                    code = normalize_code(row["code"])
                except DomainError as error:
                    raise DomainError(
                        f"{path}, line {line}: {error.message}", field="code"
                    ) from None
                yield code, (row["name"] or "").strip()
    except (OSError, UnicodeDecodeError, gzip.BadGzipFile, csv.Error) as error:
        raise DomainError(f"{path}: cannot read ({error}).", field="file") from None


def _parent_code(code: str) -> str | None:
    lengths = sorted(KIND_BY_LENGTH)
    shorter = [length for length in lengths if length < len(code)]
    return code[: shorter[-1]] if shorter else None


def import_divisions(paths: list[Path], prefix: str = "") -> DivisionImport:
    """Load the rows under `prefix` (and the ancestors of `prefix`, to keep the tree connected)."""
    rows: dict[str, str] = {}
    for path in paths:
        for code, name in read_division_rows(Path(path)):
            if code.startswith(prefix) or prefix.startswith(code):
                rows[code] = name
    result = DivisionImport()
    by_length: dict[int, list[str]] = {}
    for code in rows:
        by_length.setdefault(len(code), []).append(code)
    with transaction.atomic():
        known: dict[
            str, tuple[int, str, int]
        ] = {}  # code -> (id, path, depth) of parents seen so far
        for length in sorted(by_length):
            codes = sorted(by_length[length])
            parent_codes = {_parent_code(code) for code in codes} - {None}
            missing = [c for c in parent_codes if c not in known]
            for start in range(0, len(missing), BATCH):
                for area_id, code, path, depth in Area.objects.filter(
                    code__in=missing[start : start + BATCH]
                ).values_list("id", "code", "path", "depth"):
                    known[code] = (area_id, path, depth)
            existing: dict[str, Area] = {}
            for start in range(0, len(codes), BATCH):
                for area in Area.objects.filter(code__in=codes[start : start + BATCH]).only(
                    "id", "code", "name", "parent_id", "path", "depth"
                ):
                    existing[area.code] = area
            to_create: list[Area] = []
            to_update: list[Area] = []
            moved: list[tuple[str, str, int]] = []  # (old path, new path, depth change)
            for code in codes:
                parent = known.get(_parent_code(code) or "")
                if parent is None and _parent_code(code) is not None:
                    result.orphans.append(code)
                    continue
                parent_id, path, depth = (
                    (parent[0], parent[1] + code + "/", parent[2] + 1)
                    if parent
                    else (None, f"/{code}/", 0)
                )
                area = existing.get(code)
                if area is None:
                    to_create.append(
                        Area(
                            code=code,
                            name=rows[code],
                            kind=KIND_BY_LENGTH[len(code)],
                            parent_id=parent_id,
                            path=path,
                            depth=depth,
                        )
                    )
                elif (area.name, area.parent_id, area.path) != (rows[code], parent_id, path):
                    if area.path != path:
                        moved.append((area.path, path, depth - area.depth))
                    area.name, area.parent_id, area.path, area.depth = (
                        rows[code],
                        parent_id,
                        path,
                        depth,
                    )
                    to_update.append(area)
                else:
                    result.unchanged += 1
            Area.objects.bulk_create(to_create, batch_size=BATCH)
            Area.objects.bulk_update(
                to_update, ["name", "parent", "path", "depth"], batch_size=BATCH
            )
            for old_path, new_path, depth_change in moved:
                # Areas below a re-parented one (grids, say) are in no division file: move them too.
                Area.objects.filter(path__startswith=old_path).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + depth_change,
                )
            result.created += len(to_create)
            result.updated += len(to_update)
            if length < max(by_length):
                for start in range(0, len(codes), BATCH):
                    for area_id, code, path, depth in Area.objects.filter(
                        code__in=codes[start : start + BATCH]
                    ).values_list("id", "code", "path", "depth"):
                        known[code] = (area_id, path, depth)
        if result.created or result.updated:
            tree_version_bump()
    return result
