"""Age helpers agree with ``age_on`` on every day (29 February included); the capped paginator; ID-shaped text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuncheng.core.validators import age_on
from chuncheng.elders import queries
from chuncheng.elders.importers import id_facts
from tests.elders.conftest import fake_id

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@given(day=days, years=st.integers(min_value=0, max_value=110), offset=st.integers(min_value=-3, max_value=3))
def test_latest_birth_date_is_the_exact_cut_off(day, years, offset):
    cut = queries.latest_birth_date(years, day)
    assert age_on(cut, day) >= years
    later = cut + timedelta(days=1)
    assert later > day or age_on(later, day) < years
    born = cut + timedelta(days=offset)
    if born <= day:
        assert (born <= cut) == (age_on(born, day) >= years)


def test_leap_day_birthdays():
    born = date(1944, 2, 29)
    assert queries.age(born, date(2024, 2, 28)) == 79
    assert queries.age(born, date(2024, 2, 29)) == 80
    assert queries.latest_birth_date(80, date(2025, 2, 28)) == date(1945, 2, 28)
    assert queries.latest_birth_date(81, date(2025, 2, 28)) == date(1944, 2, 28)
    assert queries.latest_birth_date(80, date(2024, 2, 29)) == date(1944, 2, 29)
    assert queries.latest_birth_date(79, date(2024, 2, 29)) == date(1945, 2, 28)
    assert queries.age(born, date(1900, 1, 1)) == 0


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), seq=st.integers(0, 499))
def test_id_facts_agree_with_the_validator(born, seq):
    from chuncheng.core.validators import parse_id_number

    number = fake_id(born, seq)
    info = parse_id_number(number)
    assert id_facts(number) == (info.sex, info.birth_date)


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("53990119540101001X", True),
        ("53990119540101001x", True),
        ("5399 0119 5401 0100 1X", True),
        ("５３９９０１１９５４０１０１００１Ｘ", True),  # full-width, as some input methods type it
        ("539901195401", False),
        ("王秀英", False),
        ("5399011954010100123", False),
    ],
)
def test_id_shaped_text(text, shaped):
    assert queries.looks_like_id_number(text) is shaped


@pytest.mark.django_db
def test_capped_paginator_counts_at_most_cap_rows(personas, registry, monkeypatch):
    monkeypatch.setattr(queries.CappedPaginator, "cap", 2)
    paginator = queries.CappedPaginator(queries.elder_list(personas.city, {}), 1)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (2, True, 2)
    assert [e.name for e in paginator.page(2)] == [registry.wuhua_old.name]
    exact = queries.CappedPaginator(queries.elder_list(personas.wuhua, {}), 1)
    assert (exact.count, exact.capped) == (2, False)
