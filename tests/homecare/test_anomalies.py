"""The anomaly scan: every rule at and around its threshold, idempotence, reviews and the payable status."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from chuncheng.elders.queries import SHANGHAI
from chuncheng.homecare import services
from chuncheng.homecare.choices import ErrorCode, FlagStatus
from chuncheng.homecare.models import Visit, VisitFlag
from tests.homecare.conftest import HOME, make_visit

pytestmark = pytest.mark.django_db

MONTH = "2026-10"
T0 = datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)


def flagged(rule: str) -> set[int]:
    return set(VisitFlag.objects.filter(rule=rule).values_list("visit_id", flat=True))


def test_too_short_and_too_long_at_their_bounds(world):
    # cleaning: min 30, max 240 minutes per unit (catalogue.json)
    at_min = make_visit(world, start=T0, minutes=30)
    below = make_visit(world, start=T0 + timedelta(hours=5), minutes=30 - 1 / 60)
    at_max = make_visit(world, start=T0 + timedelta(days=1), minutes=240)
    above = make_visit(world, start=T0 + timedelta(days=2), minutes=240 + 1 / 60)
    counts = services.scan_anomalies(MONTH)
    assert flagged("too_short") == {below.pk}
    assert flagged("too_long") == {above.pk}
    assert counts["too_short"] == 1 and counts["too_long"] == 1
    assert VisitFlag.objects.get(visit=below, rule="too_short").value == pytest.approx(29.98, abs=0.01)
    assert not flagged("too_short") & {at_min.pk, at_max.pk}


def test_out_of_place_at_the_radius_and_no_reference_location(world):
    at = make_visit(world, start=T0, minutes=60, distance=200.0)
    beyond = make_visit(world, start=T0 + timedelta(hours=2), minutes=60, distance=200.5)
    unknown = make_visit(world, start=T0 + timedelta(hours=4), minutes=60, elder=world.plain, no_reference=True)
    services.scan_anomalies(MONTH)
    assert flagged("out_of_place") == {beyond.pk}
    assert flagged("no_reference_location") == {unknown.pk}
    assert at.pk not in flagged("out_of_place")


def test_one_caregiver_in_two_places_at_once(world):
    first = make_visit(world, start=T0, minutes=60)
    touching = make_visit(world, start=T0 + timedelta(minutes=60), minutes=60, elder=world.plain)
    overlapping = make_visit(world, start=T0 + timedelta(minutes=119), minutes=60, elder=world.elder)
    other_carer = make_visit(world, start=T0, minutes=60, caregiver=world.carer2)
    services.scan_anomalies(MONTH)
    assert flagged("overlap") == {touching.pk, overlapping.pk}
    assert first.pk not in flagged("overlap") and other_carer.pk not in flagged("overlap")


def test_impossible_travel_around_the_speed_threshold(world):
    # 0.1° of latitude ≈ 11.12 km; at 60 km/h that needs 667 s.
    km = 0.1 * 111.195
    needed_s = km / 60 * 3600
    first = make_visit(world, start=T0, minutes=60)
    end = T0 + timedelta(minutes=60)
    slow = make_visit(world, start=end + timedelta(seconds=needed_s + 5), minutes=60, lat=HOME[0] + 0.1)
    back_end = slow.check_out_at
    fast = make_visit(world, start=back_end + timedelta(seconds=needed_s - 5), minutes=60)
    services.scan_anomalies(MONTH)
    assert flagged("impossible_travel") == {fast.pk}
    assert VisitFlag.objects.get(visit=fast, rule="impossible_travel").value > 60
    assert first.pk not in flagged("impossible_travel")


def test_travel_looks_back_across_the_month_boundary(world):
    late = datetime(2026, 9, 30, 23, 0, tzinfo=SHANGHAI)
    make_visit(world, start=late, minutes=30, lat=HOME[0] + 0.5)
    early = make_visit(world, start=late + timedelta(minutes=65), minutes=60)  # 00:05 on 1 October
    services.scan_anomalies(MONTH)
    assert flagged("impossible_travel") == {early.pk}


def test_visits_to_a_deceased_or_admitted_elder(world, personas):
    from chuncheng.elders.models import Elder
    from chuncheng.institutions.models import Admission

    Elder.objects.filter(pk=world.elder.pk).update(status="deceased", died_on=date(2026, 10, 12))
    before = make_visit(world, start=T0 - timedelta(days=1), minutes=60)
    on_day = make_visit(world, start=T0, minutes=60)
    Admission.objects.create(
        elder=world.plain,
        institution=personas.wuhua_home,
        admitted_on=date(2026, 10, 20),
        discharged_on=date(2026, 10, 25),
    )
    admitted_day = make_visit(world, start=T0 + timedelta(days=8), minutes=60, elder=world.plain, no_reference=True)
    day_before = make_visit(world, start=T0 + timedelta(days=7), minutes=60, elder=world.plain, no_reference=True)
    discharge_day = make_visit(world, start=T0 + timedelta(days=13), minutes=60, elder=world.plain, no_reference=True)
    services.scan_anomalies(MONTH)
    assert flagged("elder_deceased") == {on_day.pk}
    assert flagged("elder_admitted") == {admitted_day.pk}
    assert not ({before.pk, day_before.pk, discharge_day.pk} & (flagged("elder_deceased") | flagged("elder_admitted")))


def test_unconfirmed_and_open_visits(world):
    unconfirmed = make_visit(world, start=T0, minutes=60, confirmed=False)
    open_visit = make_visit(world, start=T0 + timedelta(hours=3), minutes=60, closed=False, confirmed=False)
    services.scan_anomalies(MONTH)
    assert flagged("unconfirmed") == {unconfirmed.pk}
    assert open_visit.pk not in flagged("too_short")


def test_scan_is_per_month_idempotent_and_keeps_reviews(world, personas):
    short = make_visit(world, start=T0, minutes=5)
    november = make_visit(world, start=datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), minutes=5)
    services.scan_anomalies(MONTH)
    assert flagged("too_short") == {short.pk}
    flag = VisitFlag.objects.get(visit=short, rule="too_short")
    services.review_flag(flag, False, note="上门记录核实", actor=personas.huashan)
    again = services.scan_anomalies(MONTH)
    assert sum(again.values()) == 0
    assert VisitFlag.objects.get(pk=flag.pk).status == FlagStatus.REJECTED
    assert november.pk not in flagged("too_short")


def test_review_decides_payable(world, personas):
    short = make_visit(world, start=T0, minutes=5)
    fine = make_visit(world, start=T0 + timedelta(hours=3), minutes=60)
    services.scan_anomalies(MONTH)
    payable = set(Visit.objects.payable().values_list("pk", flat=True))
    assert payable == {fine.pk}
    flag = VisitFlag.objects.get(visit=short)
    services.review_flag(flag, False, actor=personas.wuhua)  # a false alarm: payable again
    assert set(Visit.objects.payable().values_list("pk", flat=True)) == {fine.pk, short.pk}
    with pytest.raises(ValidationError) as exc:
        services.review_flag(flag, True, actor=personas.wuhua)
    assert exc.value.error_list[0].code == ErrorCode.FLAG_REVIEWED


def test_accepted_flag_keeps_the_visit_unpayable(world, personas):
    short = make_visit(world, start=T0, minutes=5)
    services.scan_anomalies(MONTH)
    services.review_flag(VisitFlag.objects.get(visit=short), True, actor=personas.huashan)
    assert not Visit.objects.payable().filter(pk=short.pk).exists()


def test_community_workers_cannot_review_and_bad_month(world, personas):
    short = make_visit(world, start=T0, minutes=5)
    services.scan_anomalies(MONTH)
    with pytest.raises(ValidationError) as exc:
        services.review_flag(VisitFlag.objects.get(visit=short), True, actor=personas.community)
    assert exc.value.error_list[0].code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(ValidationError) as exc:
        services.scan_anomalies("2026-13")
    assert exc.value.error_dict["month"][0].code == ErrorCode.BAD_MONTH


def test_scan_issues_one_statement_per_rule(world, django_assert_max_num_queries):
    for i in range(20):
        make_visit(world, start=T0 + timedelta(hours=2 * i), minutes=5 + i)
    with django_assert_max_num_queries(15):  # settings (2) + 9 rules + audit, whatever the number of visits
        services.scan_anomalies(MONTH)
