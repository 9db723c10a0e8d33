"""The back office's zone page: a save the services refuse (of the zone or of one of its
indicator rows) changes nothing at all, neither the zone nor any inline row, and says why."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.contrib.admin.models import LogEntry as AdminEntry
from django.contrib.messages import constants, get_messages
from django.test import Client
from django.urls import reverse

from gridgov.areas.models import Area
from gridgov.assessment.models import Indicator, Zone
from tests.assessment.conftest import DISTRICT

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page_data(client: Client, url: str) -> dict[str, str]:
    """The form as the page shows it (zone and every inline row, management forms too), the
    way a browser would send it back unchanged."""
    page = client.get(url)
    assert page.status_code == 200
    forms = [page.context["adminform"].form]
    data: dict[str, str] = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data |= {management.add_prefix(n): management[n].value() for n in management.fields}
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def _indicator_rows(data: dict[str, str]) -> dict[str, int]:
    """Indicator key → the row's index in the indicators formset."""
    return {
        value: int(key.split("-")[1])
        for key, value in data.items()
        if key.startswith("indicators-") and key.endswith("-key") and value
    }


def _state(zone_id: int):
    zone = Zone.objects.filter(pk=zone_id).values("name", "focus", "position").first()
    rows = set(
        Indicator.objects.filter(zone_id=zone_id).values_list(
            "key", "weight", "target", "baseline", "position"
        )
    )
    return zone, rows


def _refused(response) -> bool:
    return any(m.level == constants.ERROR for m in get_messages(response.wsgi_request))


def test_a_valid_save_changes_the_zone_and_its_rows(admin_user, known_rules):
    gov = known_rules["gov"]
    client = _client(admin_user)
    url = reverse("admin:assessment_zone_change", args=[gov.pk])
    data = _page_data(client, url)
    data["name"] = "治理二"
    data[f"indicators-{_indicator_rows(data)['t_a']}-weight"] = "5"
    response = client.post(url, data)
    assert response.status_code == 302
    assert not _refused(response)
    zone, rows = _state(gov.pk)
    assert zone["name"] == "治理二"
    assert {(key, weight) for key, weight, *_rest in rows} == {
        ("t_a", Decimal("5")),
        ("t_c", Decimal("3")),
    }


def test_a_refused_zone_save_keeps_the_indicator_rows_too(admin_user, known_rules):
    """The name is another zone's (a conflict): the weight changed and the row added in the
    same save stay unsaved, and nothing reaches the audit logs."""
    gov = known_rules["gov"]
    before = _state(gov.pk)
    audit, admin_log = AuditEntry.objects.count(), AdminEntry.objects.count()
    client = _client(admin_user)
    url = reverse("admin:assessment_zone_change", args=[gov.pk])
    data = _page_data(client, url)
    rows = _indicator_rows(data)
    data["name"] = "老城"  # the other zone's name
    data[f"indicators-{rows['t_a']}-weight"] = "5"
    extra = int(data["indicators-TOTAL_FORMS"]) - 1  # the blank row the page offers
    data[f"indicators-{extra}-key"] = "t_b"
    data[f"indicators-{extra}-weight"] = "7"
    data[f"indicators-{extra}-target"] = "2"
    data[f"indicators-{extra}-baseline"] = "20"

    response = client.post(url, data)

    assert response.status_code == 302
    assert _refused(response)
    assert _state(gov.pk) == before
    assert Indicator.objects.filter(key="t_b").count() == 1  # the old town's only
    assert (AuditEntry.objects.count(), AdminEntry.objects.count()) == (audit, admin_log)
    # The page is shown again as stored, with the message.
    again = client.get(response["Location"])
    assert again.status_code == 200
    assert again.context["adminform"].form["name"].value() == "治理"


def test_a_refused_indicator_row_keeps_the_zone_and_the_other_rows(admin_user, known_rules):
    """A valid new name and weight, but one row's weight is above the services' 1000 (the
    form's decimal field takes it): all or nothing."""
    gov = known_rules["gov"]
    before = _state(gov.pk)
    client = _client(admin_user)
    url = reverse("admin:assessment_zone_change", args=[gov.pk])
    data = _page_data(client, url)
    rows = _indicator_rows(data)
    data["name"] = "治理二"
    data[f"indicators-{rows['t_a']}-weight"] = "5"
    data[f"indicators-{rows['t_c']}-weight"] = "5000"  # refused by indicator_save

    response = client.post(url, data)

    assert response.status_code == 302
    assert _refused(response)
    assert _state(gov.pk) == before


def test_a_refused_new_zone_leaves_no_zone_and_no_rows(admin_user, known_rules):
    """A new zone with a free name whose indicator row names no registered indicator: the
    zone, saved first, is undone with the row."""
    client = _client(admin_user)
    url = reverse("admin:assessment_zone_add")
    data = _page_data(client, url)
    data |= {
        "root": str(Area.objects.get(code=DISTRICT).pk),
        "name": "生态",
        "position": "3",
        "indicators-0-key": "no_such_indicator",
        "indicators-0-weight": "10",
        "indicators-0-target": "90",
        "indicators-0-baseline": "50",
    }
    zones, indicators = Zone.objects.count(), Indicator.objects.count()

    response = client.post(url, data)

    assert response.status_code == 302
    assert _refused(response)
    assert (Zone.objects.count(), Indicator.objects.count()) == (zones, indicators)
