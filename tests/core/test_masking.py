"""Tests for chuncheng.core.masking (security checklist D5)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuncheng.core.masking import mask_address, mask_id_number, mask_name, mask_phone


def revealed(masked: str) -> int:
    return sum(1 for c in masked if c not in "*…")


@pytest.mark.parametrize("func", [mask_id_number, mask_phone, mask_name, mask_address])
@pytest.mark.parametrize("empty", [None, ""])
def test_empty(func, empty):
    assert func(empty) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("530102199001011234", "530102********1234"),
        ("11010519491231002X", "110105********002X"),
        ("530102900101123", "5*************3"),  # 15-digit legacy number: only the ends
        ("12", "**"),
        ("1", "*"),
    ],
)
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0871-65123456", "0871-****3456"),
        ("087165123456", "0871-****3456"),
        ("010-6234567", "010-****4567"),
        ("0871-65123456-802", "0871-****3456-***"),
        ("12345", "1***5"),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("张三丰", "张**"), ("张三", "张*"), ("张", "*"), ("欧阳娜娜", "欧***"), (" 李四 ", "李*")]
)
def test_mask_name(value, expected):
    assert mask_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("云南省昆明市五华区翠湖南路1号", "云南省昆明市…"),
        ("昆明市五华区翠", "昆明市五华区…"),
        ("翠湖南路1号", "翠湖南…"),
        ("昆明", "昆…"),
    ],
)
def test_mask_address(value, expected):
    assert mask_address(value) == expected


@given(st.text())
def test_mask_id_number_reveals_at_most_ten_characters(value):
    masked = mask_id_number(value)
    assert sum(1 for c in masked if c != "*") <= 10


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mask_phone_reveals_at_most_seven_digits(mobile):
    masked = mask_phone(mobile)
    assert sum(1 for c in masked if c.isdigit()) <= 7
    assert masked == mobile[:3] + "****" + mobile[-4:]


@given(
    st.one_of(
        st.text(), st.from_regex(r"\(?0(10|2[0-9]|[3-9][0-9]{2})\)?-?[2-9][0-9]{6,7}(-[0-9]{1,6})?", fullmatch=True)
    )
)
def test_mask_phone_of_anything_hides_the_middle(value):
    masked = mask_phone(value)
    assert revealed(masked.replace("-", "")) <= 8  # at most a 4-digit area code and the last 4 digits
    if len(value.strip()) > 2:
        assert "*" in masked
