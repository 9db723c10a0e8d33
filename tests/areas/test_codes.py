import pytest

from gridgov.areas.codes import check_child_code, code12, kind_for_code, normalize_code
from gridgov.common.errors import DomainError


@pytest.mark.parametrize(
    ("raw", "code", "kind"),
    [
        ("53", "53", "province"),
        ("5307", "5307", "city"),
        ("530702", "530702", "county"),
        ("530702000000", "530702", "county"),
        ("530702001000", "530702001", "street"),
        ("530702001002", "530702001002", "community"),
        ("530702001002007", "530702001002007", "grid"),
        ("53070200100207", "530702001002007", "grid"),  # CJ/T 213 two-digit grid number
        (" 530702001 ", "530702001", "street"),
    ],
)
def test_normalize_accepts_the_forms_people_send(raw, code, kind):
    assert normalize_code(raw) == code
    assert kind_for_code(code) == kind


@pytest.mark.parametrize(
    "raw", ["", "5307a2", "5307021", "53070200100", "1234567890123456789", "５３"]
)
def test_codes_of_the_wrong_shape_are_refused(raw):
    with pytest.raises(DomainError) as error:
        normalize_code(raw)
    assert error.value.field == "code"


def test_child_code_must_continue_the_parent():
    check_child_code("530702001", "530702001002")
    with pytest.raises(DomainError):
        check_child_code("530702001", "530702002001")


def test_code12_pads_division_codes_only():
    assert code12("530702") == "530702000000"
    assert code12("530702001") == "530702001000"
    assert code12("530702001002007") is None
