import gzip
import io

import pytest
from django.core.management import CommandError, call_command

from gridgov.areas.models import Area
from tests.paths import TEST_DATA

FILES = [
    str(TEST_DATA / f"china-division-{name}.csv.gz")
    for name in ("provinces", "cities", "areas", "streets", "villages")
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_divisions", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_import_a_prefecture_then_again_changes_nothing():
    assert "created" in run(
        *FILES, "--prefix", "5307"
    )  # 丽江市: the demo's 古城区 gets its ancestors
    lijiang = Area.objects.filter(path__startswith="/53/5307/")
    counts = {
        kind: lijiang.filter(kind=kind).count()
        for kind in ("city", "county", "street", "community", "grid")
    }
    assert counts["city"] == 1
    assert counts["county"] == 5
    assert counts["grid"] == 620
    assert counts["community"] > 400
    assert Area.objects.get(code="53").name == "云南省"
    # the files also hold 昆明市五华区 and 北京市: outside the prefix, not loaded
    assert not Area.objects.filter(code__in=["530102", "11", "5301"]).exists()
    # the demo grids moved with their community under the new ancestors
    grid = Area.objects.get(code="530702001002001")
    assert grid.path == "/53/5307/530702/530702001/530702001002/530702001002001/"
    assert grid.depth == 5
    before = list(Area.objects.order_by("code").values_list("code", "name", "path", "depth"))
    assert run(*FILES, "--prefix", "5307").startswith("created 0, updated 0")
    assert (
        list(Area.objects.order_by("code").values_list("code", "name", "path", "depth")) == before
    )


@pytest.mark.django_db
def test_bad_files_are_refused_with_the_line(tmp_path):
    bad = tmp_path / "bad.csv.gz"
    with gzip.open(bad, "wt", encoding="utf-8") as handle:
        handle.write("code,name\n53,云南省\n53x,坏\n")
    before = Area.objects.count()
    with pytest.raises(CommandError, match="line 3"):
        run(str(bad))
    not_csv = tmp_path / "x.csv"
    not_csv.write_text("hello\n")
    with pytest.raises(CommandError, match="not a division CSV"):
        run(str(not_csv))
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.csv"))
    assert Area.objects.count() == before
