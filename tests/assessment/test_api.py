"""The assessment over the API and on its pages: who reads which part, bad input answered
with a clear status and nothing changed, and the cost of reading a run."""

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.assessment.models import Assessment, Indicator, Zone
from gridgov.assessment.runs import assessment_compute, assessment_publish
from tests.assessment.conftest import DAYAN, DISTRICT, JINJIA, WENHUI, XIAN

pytestmark = pytest.mark.django_db
API = "/api/v1/assessment"
YEAR = timezone.localdate().year


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def published(admin_user, known_rules):
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    return assessment_publish(user=admin_user, assessment_id=run.pk)


def _codes(answer) -> set[str]:
    return {area["code"] for area in answer["areas"]}


def test_district_reads_every_street_and_community(operator, published):
    answer = _client(operator).get(f"{API}/assessments/{published.pk}").json()
    assert {DAYAN, XIAN, JINJIA, WENHUI} <= _codes(answer)
    dayan = next(a for a in answer["areas"] if a["code"] == DAYAN)
    assert (dayan["score"], dayan["grade"], dayan["rank"]) == (65.0, "C", 2)
    assert dayan["pulling_down"] == ["t_b", "t_a"]


def test_a_streets_staff_reads_their_street_only(street_staff, published):
    answer = _client(street_staff).get(f"{API}/assessments/{published.pk}").json()
    codes = _codes(answer)
    assert XIAN in codes
    assert DAYAN not in codes
    assert all(code.startswith(XIAN) for code in codes)
    assert answer["departments"] == []  # the departments' results are the district's


def test_a_communitys_staff_reads_their_community_only(community_staff, published):
    answer = _client(community_staff).get(f"{API}/assessments/{published.pk}").json()
    assert _codes(answer) == {WENHUI}


def test_drafts_are_the_districts(admin_user, street_staff, operator, known_rules, leader):
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    for reader in (street_staff, operator):
        client = _client(reader)
        assert client.get(f"{API}/assessments/{run.pk}").status_code == 404
        assert client.get(f"{API}/assessments").json()["assessments"] == []
    listed = _client(leader).get(f"{API}/assessments").json()["assessments"]
    assert [(r["id"], r["status"]) for r in listed] == [(run.pk, "draft")]


@pytest.mark.parametrize("persona", ["grid_worker", "party_secretary", "resident"])
def test_who_reads_nothing(request, persona, published):
    client = _client(request.getfixturevalue(persona))
    assert client.get(f"{API}/assessments/{published.pk}").status_code in (403, 404)
    assert client.get(f"{API}/zones").status_code == 403
    assert client.get(f"{API}/indicators").status_code == 403


def test_a_department_reads_its_own_result_only(squad_handler, bureau_handler, published):
    for handler in (squad_handler, bureau_handler):
        answer = _client(handler).get(f"{API}/assessments/{published.pk}").json()
        assert answer["areas"] == []
        assert all(d["id"] == handler.department_id for d in answer["departments"])


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("post", "/assessments", {"year": 1990}, 422),
        ("post", "/assessments", {"year": YEAR + 1}, 400),
        ("post", "/assessments", {"year": YEAR, "root": "530702001"}, 400),
        ("post", "/assessments", {"year": YEAR, "root": "999999"}, 404),
        ("post", "/zones/{zone}/indicators", {"key": "nope", "weight": 1}, 400),
        ("post", "/zones/{zone}/indicators", {"key": "t_c", "weight": 0}, 422),
        ("post", "/zones/{zone}/indicators", {"key": "t_a", "weight": 3}, 409),
        ("patch", "/indicators/{indicator}", {"target": 0}, 400),  # = its baseline
        ("patch", "/zones/{zone}", {"streets": ["530702002", "530702003"]}, 409),
        ("patch", "/zones/{zone}", {"streets": ["530702001002"]}, 400),
        ("patch", "/scheme", {"street_grades": [["A", 90], ["B", 95], ["C", 0]]}, 400),
        ("patch", "/scheme", {"street_grades": [["A", 90], ["B", 10]]}, 400),
        ("patch", "/scheme", {"department_weights": {"bribes": 1}}, 400),
        ("patch", "/zones/999999999", {"name": "x"}, 404),
        ("delete", "/indicators/999999999", None, 404),
    ],
)
def test_bad_input_is_clear_and_changes_nothing(leader, known_rules, method, url, body, status):
    gov = known_rules["gov"]
    url = url.format(zone=gov.pk, indicator=Indicator.objects.get(zone=gov, key="t_a").pk)
    before = (
        list(Indicator.objects.order_by("pk").values_list("pk", "weight", "target", "baseline")),
        list(Zone.objects.order_by("pk").values_list("pk", "name", "streets__street__code")),
        Assessment.objects.count(),
    )
    client = _client(leader)
    send = getattr(client, method)
    answer = send(API + url, body, content_type="application/json") if body else send(API + url)
    assert answer.status_code == status, answer.content
    after = (
        list(Indicator.objects.order_by("pk").values_list("pk", "weight", "target", "baseline")),
        list(Zone.objects.order_by("pk").values_list("pk", "name", "streets__street__code")),
        Assessment.objects.count(),
    )
    assert after == before


def test_zone_editing_over_the_api(leader, known_rules):
    client = _client(leader)
    gov = known_rules["gov"]
    answer = client.patch(
        f"{API}/zones/{gov.pk}",
        {"streets": [XIAN, "530702003"], "focus": "城市治理服务"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    zone = next(z for z in answer.json()["zones"] if z["id"] == gov.pk)
    assert [s["code"] for s in zone["streets"]] == [XIAN, "530702003"]
    ind = Indicator.objects.get(zone=gov, key="t_a")
    answer = client.patch(
        f"{API}/indicators/{ind.pk}", {"weight": 2.5, "target": 80}, content_type="application/json"
    )
    assert answer.status_code == 200
    ind.refresh_from_db()
    assert (str(ind.weight), ind.target, ind.baseline) == ("2.50", 80.0, 0.0)


def test_reading_a_run_costs_the_same_for_more_areas(
    operator, published, django_assert_max_num_queries
):
    client = _client(operator)
    with django_assert_max_num_queries(20):
        answer = client.get(f"{API}/assessments/{published.pk}")
    assert answer.status_code == 200
    assert len(answer.json()["areas"]) > 10


def test_pages_show_the_users_part(street_staff, leader, published):
    page = _client(street_staff).get("/assessment/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-area="{XIAN}"' in text
    assert f'data-area="{DAYAN}"' not in text
    assert 'id="as-compute"' not in text
    page = _client(leader).get(f"/assessment/{published.pk}/areas/{DAYAN}/")
    text = page.content.decode()
    assert 'data-score="65.0"' in text
    assert 'data-grade="C"' in text
    assert (
        _client(street_staff).get(f"/assessment/{published.pk}/areas/{DAYAN}/").status_code == 404
    )


@pytest.mark.parametrize(
    "query", ["?year=abc", "?year=1800", "?root=abc", "?run=99999999999999999999"]
)
def test_hostile_page_queries(leader, published, query):
    status = _client(leader).get("/assessment/" + query).status_code
    assert status in (400, 404)


def test_setup_page_edits_through_the_services(leader, known_rules):
    client = _client(leader)
    ind = Indicator.objects.get(zone=known_rules["old"], key="t_a")
    answer = client.post(
        "/assessment/setup/change/",
        {"action": "indicator_update", "indicator": ind.pk, "weight": "abc"},
    )
    assert answer.status_code == 302
    ind.refresh_from_db()
    assert str(ind.weight) == "60.00"
    client.post(
        "/assessment/setup/change/",
        {"action": "scheme", "community_grades": "A 80, B 50, C 0"},
    )
    rules = client.get(f"{API}/zones").json()
    assert rules["community_grades"] == [["A", 80.0], ["B", 50.0], ["C", 0.0]]
