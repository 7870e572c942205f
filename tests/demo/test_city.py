"""The small demo city reproduces the 2021 baseline of kunming-policy.md §2 and is deterministic for a seed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from chuncheng.core.cipher import get_cipher
from chuncheng.core.models import Population
from chuncheng.core.validators import validate_id_number
from chuncheng.demo import city
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Admission, Facility, Institution, Staff

pytestmark = pytest.mark.django_db


def _signature():
    return (
        list(Institution.objects.order_by("code").values_list("uscc", "approved_beds", "nursing_beds")),
        list(
            Elder.objects.order_by("id_number_index").values_list("id_number_index", "birth_date", "org_unit__code")[
                :50
            ]
        ),
        Admission.objects.count(),
    )


def _wipe():
    for model in (Admission, Staff, Elder, Facility, Institution, Population):
        model.objects.all().delete()


def test_small_demo_reproduces_the_baseline(org_tree):
    summary = city.build("small", seed=7)
    assert (summary.institutions, summary.facilities, summary.staff) == (125, 1552, 2300)
    beds = Institution.objects.aggregate(a=Sum("approved_beds"), n=Sum("nursing_beds"), s=Sum("safety_net_beds"))
    assert beds["a"] == 28_900
    assert round(Decimal(beds["n"]) / beds["a"] * 100, 2) == Decimal("47.33")
    assert round(Decimal(beds["s"]) / beds["a"] * 100, 1) == Decimal("32.3")
    kinds = dict(Institution.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds["rural_tekun"] == 31 and kinds["public"] == 14 and sum(kinds.values()) - 45 == 80
    assert Institution.objects.filter(internal_medical=True).aggregate(n=Count("id"), b=Sum("approved_beds")) == {
        "n": 45,
        "b": 15_446,
    }
    facilities = dict(Facility.objects.values_list("kind").annotate(n=Count("id")))
    assert facilities["street_center"] + facilities["community_center"] + facilities["rural_center"] == 388
    assert (facilities["mutual_aid_station"], facilities["canteen"]) == (976, 188)
    assert Staff.objects.filter(role="caregiver").count() == 1887
    county = Population.objects.filter(org_unit__level="county", year=2021).aggregate(
        t=Sum("population_total"), o=Sum("population_60plus")
    )
    assert county == {"t": 8_460_000, "o": 1_218_200}
    assert round(Decimal(beds["a"]) * 1000 / county["o"], 1) == Decimal("23.7")
    assert Elder.objects.count() == 1_218_200 // 200
    # every bed-holding resident is inside approved beds
    over = [i for i in Institution.objects.annotate(n=Count("admissions")) if i.n > i.approved_beds]
    assert over == []


def test_demo_identity_numbers_are_valid_but_plainly_fake(org_tree):
    city.build("small", seed=7)
    elder = Elder.objects.order_by("id").first()
    number = get_cipher().decrypt(
        elder.id_number_enc, table="elders_elder", column="id_number_enc", row=str(elder.public_id)
    )
    assert validate_id_number(number) == number
    assert number.startswith(city.FAKE_REGION_PREFIX)
    assert elder.id_number_masked == number[:6] + "********" + number[-4:]
    assert not Elder.objects.exclude(id_number_masked__startswith=city.FAKE_REGION_PREFIX).exists()


def test_demo_is_deterministic_and_idempotent(org_tree):
    city.build("small", seed=7)
    first = _signature()
    assert city.build("small", seed=7).institutions == 0  # a second run finds the city and does nothing
    _wipe()
    city.build("small", seed=7)
    assert _signature() == first
    _wipe()
    city.build("small", seed=8)
    assert _signature() != first
