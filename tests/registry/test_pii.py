import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov.common.errors import DomainError
from gridgov.registry.pii import (
    id_check_char,
    id_number_clean,
    mask_id_number,
    mask_phone,
    phone_clean,
)

VALID = "11010519491231002X"  # the GB 11643 example


def test_a_valid_id_number_passes_and_is_canonical():
    assert id_number_clean(VALID.lower()) == VALID


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("110105194912310021", "check"),
        ("11010519491231002", "17"),
        ("99010519491231002X", "province"),
        ("110105194902300027", "date"),
        ("11010530001231002X", "impossible"),
        ("", "17"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(raw, why):
    with pytest.raises(DomainError) as error:
        id_number_clean(raw)
    assert error.value.field == "id_number"
    assert error.value.code == "bad_id_number"


@given(
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(0, 999),
    st.integers(0, 9),
)
def test_exactly_one_check_character_is_valid(birth, serial, wrong_digit):
    first17 = f"530702{birth:%Y%m%d}{serial:03d}"
    good = first17 + id_check_char(first17)
    assert id_number_clean(good) == good
    wrong = str(wrong_digit) if str(wrong_digit) != good[-1] else "X"
    if wrong != good[-1]:
        with pytest.raises(DomainError):
            id_number_clean(first17 + wrong)


@pytest.mark.parametrize("raw", ["13812345678", "+86 138-1234-5678", "19912345678"])
def test_mobile_numbers(raw):
    assert len(phone_clean(raw)) == 11


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "0888-5123456", "abc"])
def test_bad_mobile_numbers(raw):
    with pytest.raises(DomainError):
        phone_clean(raw)


def test_masks_hide_the_middle():
    # No region, no birth date, no serial: only the province and the last two remain.
    assert mask_id_number(VALID) == "11**************2X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("12345") == "*****"
