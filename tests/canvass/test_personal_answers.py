"""Personal questions of a canvass (ID numbers, phones, marked answers) are masked for
roles without PII_VIEW and every unmasked read is recorded, in every way answers leave."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from gridgov.accounts.models import PiiAccess
from gridgov.canvass import selectors, services
from gridgov.canvass.models import Task
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.registry.pii import mask_id_number
from tests.conftest import WENHUI
from tests.registry.factories import id_number

FORM = [
    {"key": "people", "label": "常住人数", "kind": "number"},
    {"key": "idno", "label": "返乡人员身份证号", "kind": "id_number"},
    {"key": "mobile", "label": "联系电话", "kind": "phone"},
    {"key": "lodging", "label": "暂住地址", "kind": "text", "personal": True},
    {"key": "note", "label": "备注", "kind": "text", "required": False},
]
ID_NUMBER = id_number()
ANSWERS = {
    "people": 3,
    "idno": ID_NUMBER,
    "mobile": "13908886666",
    "lodging": "玉泉小区3栋201室",
    "note": "=1+1",
}


@pytest.fixture
def answered(community_staff, canvass_city):
    campaign = services.campaign_create(
        user=community_staff, name="返乡排查", area_code=WENHUI, due_date="2026-12-31", fields=FORM
    )
    services.campaign_launch(user=community_staff, campaign_id=campaign.pk)
    task = Task.objects.get(campaign=campaign, worker=canvass_city["cw_b"])
    services.task_submit(user=canvass_city["cw_b"], task_id=task.pk, answers=ANSWERS)
    return campaign, Task.objects.get(pk=task.pk)


def excel_row(rows: list[tuple], household: str) -> dict:
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == household)
    return dict(zip(header, row, strict=True))


@pytest.mark.django_db
def test_id_number_and_phone_questions_are_checked_like_the_registry(community_staff, canvass_city):
    campaign = services.campaign_create(
        user=community_staff, name="排查", area_code=WENHUI, due_date="2026-12-31", fields=FORM
    )
    services.campaign_launch(user=community_staff, campaign_id=campaign.pk)
    task = Task.objects.get(campaign=campaign, worker=canvass_city["cw_b"])
    for key, bad in (("idno", "110105194912310021"), ("mobile", "12812345678")):
        with pytest.raises(DomainError) as caught:
            services.task_submit(
                user=canvass_city["cw_b"], task_id=task.pk, answers={**ANSWERS, key: bad}
            )
        assert caught.value.field == key
    assert Task.objects.get(pk=task.pk).status == "todo"


@pytest.mark.django_db
def test_the_form_says_which_questions_are_personal(answered):
    campaign, _task = answered
    personal = {f["key"]: f["personal"] for f in selectors.form_of(campaign)}
    assert personal == {
        "people": False,
        "idno": True,
        "mobile": True,
        "lodging": True,
        "note": False,
    }


@pytest.mark.django_db
def test_results_are_masked_for_a_role_without_the_right(shift_leader, answered):
    campaign, task = answered
    rows = list(selectors.results_rows(campaign, shift_leader))
    row = excel_row(rows, task.household.number)
    assert row["返乡人员身份证号"] == mask_id_number(ID_NUMBER)
    assert row["联系电话"] == "139****6666"
    assert "3栋201室" not in row["暂住地址"]
    assert row["常住人数"] == 3
    with pytest.raises(PermissionDenied):
        selectors.results_rows(campaign, shift_leader, reveal=True)
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_revealed_results_are_recorded_before_they_are_read(community_staff, answered):
    campaign, task = answered
    masked = excel_row(
        list(selectors.results_rows(campaign, community_staff)), task.household.number
    )
    assert masked["联系电话"] == "139****6666"
    assert PiiAccess.objects.count() == 0
    rows = list(selectors.results_rows(campaign, community_staff, reveal=True, ip="10.1.1.1"))
    assert excel_row(rows, task.household.number)["返乡人员身份证号"] == ID_NUMBER
    audit = PiiAccess.objects.get()
    assert (audit.user, audit.model, audit.object_ids, audit.channel, audit.ip) == (
        community_staff,
        "canvass.task",
        [task.pk],
        "export",
        "10.1.1.1",
    )
    assert audit.fields == ["idno", "lodging", "mobile"]


@pytest.mark.django_db
def test_the_excel_download_masks_reveals_on_request_and_neutralises_formulas(
    shift_leader, community_staff, answered
):
    campaign, task = answered
    url = f"/canvass/{campaign.pk}/results.xlsx"

    def download(user, **params):
        client = Client()
        client.force_login(user)
        return client.get(url, params)

    def sheet(response):
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        return excel_row(rows, task.household.number)

    masked = sheet(download(shift_leader))
    assert masked["返乡人员身份证号"] == mask_id_number(ID_NUMBER)
    assert masked["备注"] == "'=1+1"  # a formula typed as an answer stays text
    assert download(shift_leader, reveal="1").status_code == 403
    assert PiiAccess.objects.count() == 0
    revealed = sheet(download(community_staff, reveal="1"))
    assert revealed["返乡人员身份证号"] == ID_NUMBER
    assert PiiAccess.objects.get().user == community_staff


@pytest.mark.django_db
def test_a_workers_task_list_never_carries_personal_answers_back(canvass_city, answered):
    _campaign, task = answered
    done = selectors.my_tasks(canvass_city["cw_b"], status="done")
    assert [t["id"] for t in done] == [task.pk]
    assert done[0]["answers"]["idno"] == mask_id_number(ID_NUMBER)
    assert done[0]["answers"]["people"] == 3
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_the_task_page_masks_for_a_shift_leader_and_records_for_staff(
    shift_leader, community_staff, answered
):
    _campaign, task = answered
    url = f"/admin/canvass/task/{task.pk}/change/"
    client = Client()
    client.force_login(shift_leader)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert ID_NUMBER not in page
    assert mask_id_number(ID_NUMBER) in page
    assert "13908886666" not in page
    assert PiiAccess.objects.count() == 0
    client.force_login(community_staff)
    page = client.get(url).content.decode()
    assert ID_NUMBER in page
    audit = PiiAccess.objects.get()
    assert (audit.model, audit.object_ids, audit.channel) == ("canvass.task", [task.pk], "admin")
