import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from gridgov.common.errors import Conflict, PermissionDenied
from gridgov.smartcodes.models import CheckIn, SmartCode
from gridgov.smartcodes.plates import plates_pdf
from gridgov.smartcodes.services import check_in, code_revoke, codes_issue
from tests.conftest import WENHUI

PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


@pytest.mark.django_db
def test_codes_are_issued_once_unguessable_and_revocable(community_staff, places):
    assert codes_issue(user=community_staff, root_code=WENHUI) == 2
    assert codes_issue(user=community_staff, root_code=WENHUI) == 0
    tokens = list(SmartCode.objects.values_list("token", flat=True))
    assert all(len(t) >= 22 for t in tokens)
    code = SmartCode.objects.get(kind="businesses")
    code_revoke(user=community_staff, token=code.token)
    with pytest.raises(Conflict):
        code_revoke(user=community_staff, token=code.token)
    assert codes_issue(user=community_staff, root_code=WENHUI) == 1  # a new plate for the shop
    assert SmartCode.objects.filter(kind="businesses").count() == 2


@pytest.mark.django_db
def test_public_scan_shows_the_place_and_no_personal_data(community_staff, places):
    codes_issue(user=community_staff, root_code=WENHUI)
    for code in SmartCode.objects.all():
        page = Client().get(f"/c/{code.token}/").content.decode()
        assert code.serial in page
        assert not PHONE.search(page)
        assert not ID_NUMBER.search(page)
        # The rental's room as written (a bare "301" may be part of a code's serial).
        for private in ("和丽华", "木强", "2单元301"):
            assert private not in page
        assert "check-in-form" not in page
    shop_page = (
        Client().get(f"/c/{SmartCode.objects.get(kind='businesses').token}/").content.decode()
    )
    assert "纳西银器店" in shop_page
    assert "92530702MA6K12345X" in shop_page  # business information is public


@pytest.mark.django_db
def test_revoked_and_unknown_codes_say_so(community_staff, places):
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.first()
    code_revoke(user=community_staff, token=code.token)
    response = Client().get(f"/c/{code.token}/")
    assert response.status_code == 410
    assert "已作废" in response.content.decode() or "revoked" in response.content.decode()
    assert Client().get("/c/not-a-real-token/").status_code == 404


@pytest.mark.django_db
def test_workers_check_in_with_the_distance_and_far_is_flagged(
    community_staff, grid_worker, other_community_staff, places, wenhui_point
):
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    near, _stored = check_in(
        user=grid_worker, token=code.token, lon=wenhui_point[0] + 0.0005, lat=wenhui_point[1]
    )
    assert 40 < near.distance_m < 60
    assert not near.far
    far, _stored = check_in(
        user=grid_worker, token=code.token, lon=wenhui_point[0] + 0.01, lat=wenhui_point[1]
    )
    assert far.far
    with pytest.raises(PermissionDenied):
        check_in(user=other_community_staff, token=code.token)
    client = Client()
    client.force_login(grid_worker)
    page = client.get(f"/c/{code.token}/").content.decode()
    assert "check-in-form" in page
    assert "/report/?lon=" in page
    client.post(f"/c/{code.token}/", {"lon": wenhui_point[0], "lat": wenhui_point[1]})
    assert CheckIn.objects.count() == 3
    link = re.search(r'href="(/report/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    report = client.get(
        link
    ).content.decode()  # 码上报: the report form opens with the place filled in
    assert f'value="{wenhui_point[0]}"' in report
    assert "文汇路1号" in report


@pytest.mark.django_db
def test_plates_command_and_pdf(community_staff, places, tmp_path):
    out = tmp_path / "plates.pdf"
    log = io.StringIO()
    call_command("plates", "--root", WENHUI, "--out", str(out), stdout=log, stderr=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")
    assert "2 plates" in log.getvalue()
    many = plates_pdf(
        {
            "url": f"https://gov.example/c/{i}/",
            "name": "纳西银器店",
            "serial": f"S{i}",
            "issuer": "古城区",
        }
        for i in range(30)
    )
    assert b"/Count 3" in many  # 30 plates, 12 to an A4 sheet


def test_plate_qr_operators_draw_exactly_the_symbol():
    import segno

    from gridgov.smartcodes.plates import qr_runs

    url = "https://gucheng.example.gov.cn/c/8f3kQ2xZ0aB7yT5mN1pLwA/"
    size, ops = qr_runs(url)
    drawn = set()
    for op in ops.split(" re"):
        if op.strip():
            x, y, width, _height = (int(v) for v in op.split())
            drawn.update((x + k, size - 1 - y) for k in range(width))
    matrix = segno.make(url, error="m", micro=False, boost_error=False).matrix
    assert drawn == {
        (col, row) for row, line in enumerate(matrix) for col, dark in enumerate(line) if dark
    }
