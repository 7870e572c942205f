"""Tests for chuncheng.core.validators (GB 11643-1999, GB 32100-2015, phone numbers)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from chuncheng.core.validators import (
    USCC_CHARSET,
    IdNumberInfo,
    age_on,
    id_number_check_char,
    id_number_validator,
    parse_id_number,
    phone_validator,
    uscc_check_char,
    uscc_validator,
    validate_id_number,
    validate_landline,
    validate_mobile,
    validate_phone,
    validate_uscc,
)

ID_CHARS = "0123456789X"
TODAY = date(2025, 6, 1)


def with_check(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def error_code(func, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        func(*args, **kwargs)
    return excinfo.value.code


# --- ID numbers: known vectors ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "check"), [("11010519491231002X", "X"), ("360426199101010071", "1")])
def test_id_number_known_vectors(value, check):
    assert id_number_check_char(value[:17]) == check
    assert validate_id_number(value) == value


def test_id_number_normalisation():
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert validate_id_number("110105 19491231 002x") == "11010519491231002X"
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"  # full-width input


def test_id_number_check_char_rejects_bad_input():
    with pytest.raises(ValueError):
        id_number_check_char("1234")
    with pytest.raises(ValueError):
        id_number_check_char("1101051949123100X")


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "11010519491231002",
        "11010519491231002XX",
        "11010519491231002Y",
        "1101051949123100X2",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    ],
)
def test_id_number_format(value):
    assert error_code(validate_id_number, value) == "id_number_format"


@pytest.mark.parametrize("birth", ["19491331", "19490230", "20230229", "18791231", "00000000"])
def test_id_number_birth_date(birth):
    assert error_code(validate_id_number, with_check(f"110105{birth}002"), today=TODAY) == "id_number_birth_date"


def test_id_number_leap_day_and_earliest_year():
    assert validate_id_number(with_check("11010520000229002"))
    assert validate_id_number(with_check("11010518800101002"))


def test_id_number_future_birth():
    value = with_check("11010520250602001")
    assert error_code(validate_id_number, value, today=TODAY) == "id_number_future_birth"
    assert validate_id_number(value, today=date(2025, 6, 2)) == value
    assert error_code(validate_id_number, with_check("11010530000101001")) == "id_number_future_birth"


def test_id_number_check_digit():
    assert error_code(validate_id_number, "110105194912310021") == "id_number_check_digit"
    assert error_code(validate_id_number, "360426199101010072") == "id_number_check_digit"


def test_parse_id_number():
    assert parse_id_number("11010519491231002x") == IdNumberInfo("110105", date(1949, 12, 31), "female")
    assert parse_id_number("360426199101010071") == IdNumberInfo("360426", date(1991, 1, 1), "male")
    with pytest.raises(ValidationError):
        parse_id_number("360426199101010072")


def test_id_number_validator_returns_none():
    assert id_number_validator("11010519491231002X") is None
    with pytest.raises(ValidationError):
        id_number_validator("11010519491231002Y")


@st.composite
def id_numbers(draw) -> tuple[str, date, str]:
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    born = draw(st.dates(date(1900, 1, 1), date(2020, 12, 31)))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return with_check(first17), born, "male" if sequence % 2 else "female"


@given(id_numbers())
def test_generated_id_numbers_validate_and_parse(generated):
    value, born, sex = generated
    assert validate_id_number(value) == value
    assert validate_id_number(value.lower()) == value
    info = parse_id_number(value)
    assert (info.region_code, info.birth_date, info.sex) == (value[:6], born, sex)


@given(id_numbers(), st.data())
def test_single_substitution_in_id_number_is_rejected(generated, data):
    value = generated[0]
    position = data.draw(st.integers(0, 17), label="position")
    replacement = data.draw(st.sampled_from(ID_CHARS).filter(lambda c: c != value[position]), label="replacement")
    mutated = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(mutated)


# --- Age ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1949, 12, 31), date(2024, 12, 30), 74),
        (date(1949, 12, 31), date(2024, 12, 31), 75),
        (date(1990, 1, 1), date(1990, 1, 1), 0),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2000, 3, 1), date(2004, 2, 29), 3),
    ],
)
def test_age_on(born, day, age):
    assert age_on(born, day) == age


def test_age_on_rejects_day_before_birth():
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@given(st.dates(date(1880, 1, 1), date(2100, 12, 31)), st.integers(0, 120))
def test_age_on_matches_anniversaries(born, years):
    try:
        anniversary = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year: the birthday counts from 1 March
        anniversary = date(born.year + years, 3, 1)
    assert age_on(born, anniversary) == years
    if years:
        assert age_on(born, date.fromordinal(anniversary.toordinal() - 1)) == years - 1


# --- USCC ---------------------------------------------------------------------------------------------


def test_uscc_known_vector():
    assert uscc_check_char("91110000600037341") == "L"
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    assert validate_uscc(" 91110000600037341l ") == "91110000600037341L"
    assert uscc_validator("91110000600037341L") is None


@pytest.mark.parametrize(
    "value", [None, "", "91110000600037341", "91110000600037341LL", "9111000060003734IL", "91110000600037341O"]
)
def test_uscc_format(value):
    assert error_code(validate_uscc, value) == "uscc_format"


def test_uscc_check_char():
    assert error_code(validate_uscc, "91110000600037341M") == "uscc_check_char"
    with pytest.raises(ValidationError):
        uscc_validator("91110000600037341M")


def test_uscc_check_char_rejects_bad_input():
    with pytest.raises(ValueError):
        uscc_check_char("9111000060003734I")


uscc_bodies = st.text(USCC_CHARSET, min_size=17, max_size=17)


@given(uscc_bodies)
def test_generated_uscc_validates(body):
    value = body + uscc_check_char(body)
    assert validate_uscc(value.lower()) == value


@given(uscc_bodies, st.data())
def test_single_substitution_in_uscc_is_rejected(body, data):
    value = body + uscc_check_char(body)
    position = data.draw(st.integers(0, 17), label="position")
    replacement = data.draw(st.sampled_from(USCC_CHARSET).filter(lambda c: c != value[position]), label="replacement")
    mutated = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(ValidationError):
        validate_uscc(mutated)


# --- Phones -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["13812345678", "+8613812345678", "8613812345678", "+86 138 1234 5678", "138-1234-5678", "１３８１２３４５６７８"],
)
def test_mobile_valid(value):
    assert validate_mobile(value) == "13812345678"
    assert validate_phone(value) == "13812345678"


@pytest.mark.parametrize("value", [None, "", "12812345678", "1381234567", "138123456789", "+8713812345678", "abc"])
def test_mobile_invalid(value):
    assert error_code(validate_mobile, value) == "phone_mobile_format"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0871-65123456", "0871-65123456"),
        ("087165123456", "0871-65123456"),
        ("0871 6512 3456", "0871-65123456"),
        ("(0871)65123456", "0871-65123456"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("021-6234567", "021-6234567"),
        ("0692-2123456", "0692-2123456"),
        ("0871-65123456-802", "0871-65123456-802"),
    ],
)
def test_landline_valid(value, expected):
    assert validate_landline(value) == expected
    assert validate_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "65123456",
        "010-12345678",
        "0871-0512345",
        "0871-651234567",
        "871-65123456",
        "0871-65123456-",
        "13812345678",
    ],
)
def test_landline_invalid(value):
    assert error_code(validate_landline, value) == "phone_landline_format"


@pytest.mark.parametrize("value", [None, "", "12345", "0871-123", "1381234567x"])
def test_phone_invalid(value):
    assert error_code(validate_phone, value) == "phone_format"
    with pytest.raises(ValidationError):
        phone_validator(value)


def test_phone_validator_returns_none():
    assert phone_validator("0871-65123456") is None
