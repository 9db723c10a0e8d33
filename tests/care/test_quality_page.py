"""The data-quality page and API: what each reader gets, in Chinese and English, and refusals."""

import pytest
from django.test import Client

from tests.care import test_quality
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID

# The registry with one case of each check, as in the tests of the checks themselves.
grids, registry = test_quality.grids, test_quality.registry
_no_cached_figures = test_quality._no_cached_figures


def client_of(user, language: str = "zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_grid_worker_sees_the_worklist_of_their_grid_with_links(grid_worker, registry):
    page = client_of(grid_worker).get("/registry/quality/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "数据质量" in html or "Data quality" in html
    assert 'id="quality-worklist"' in html
    assert f'href="/registry/households/{registry["empty"].pk}/"' in html
    assert "/registry/people/" in html
    assert "金甲" not in html


@pytest.mark.django_db
def test_a_leader_reads_figures_per_community_and_opens_one(district_staff, registry):
    client = client_of(district_staff, "en")
    html = client.get("/registry/quality/?area=530702").content.decode()
    assert "Figures per community" in html
    assert f'href="?area={WENHUI}"' in html
    assert f'href="?area={JINJIA}"' in html
    assert 'id="quality-worklist"' not in html  # a district: figures, no worklist
    community = client.get(f"/registry/quality/?area={WENHUI}").content.decode()
    assert "Figures per grid" in community
    assert f'href="?area={WENHUI_GRID}"' in community


@pytest.mark.django_db
@pytest.mark.parametrize("area", [JINJIA, "530702", "x" * 30, "<script>", "%00"])
def test_an_area_outside_scope_or_not_an_area_is_not_found(community_staff, registry, area):
    response = client_of(community_staff).get("/registry/quality/", {"area": area})
    assert response.status_code in (400, 404)


@pytest.mark.django_db
def test_residents_and_strangers_do_not_get_the_page_or_the_api(resident, registry):
    assert client_of(resident).get("/registry/quality/").status_code == 404
    anonymous = client_of(None).get("/registry/quality/")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    for path in ("/api/v1/quality/figures", "/api/v1/quality/worklist"):
        assert client_of(resident).get(path).status_code == 403
        assert client_of(None).get(path).status_code == 401


@pytest.mark.django_db
def test_the_api_answers_figures_and_worklist(grid_worker, other_community_staff, registry):
    client = client_of(grid_worker)
    figures = client.get("/api/v1/quality/figures").json()
    assert figures["area"]["code"] == WENHUI_GRID
    assert figures["totals"]["counts"]["households_empty"] == 2
    worklist = client.get(f"/api/v1/quality/worklist?area={WENHUI_GRID}").json()
    empty = next(s for s in worklist["sections"] if s["key"] == "households_empty")
    assert empty["count"] == 2
    assert empty["items"][0]["url"].startswith("/registry/households/")
    refused = client_of(other_community_staff).get(f"/api/v1/quality/worklist?area={WENHUI_GRID}")
    assert refused.status_code == 404
