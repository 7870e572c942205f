"""Reported indicators (item 3): a county official reports a value with evidence; another official at the same level
or higher approves or returns it (maker-checker); a new value for the same indicator, area and period supersedes the
old, which stays visible; approved values enter the snapshot, the dashboard and the attainment. Every refusal has its
stable code and writes nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from chuncheng.core.models import AuditEntry
from chuncheng.monitoring import queries, reported, services
from chuncheng.monitoring.models import IndicatorSnapshot, ReportedValue
from tests.benefits.test_applications import PDF
from tests.conftest import make_user
from tests.monitoring.conftest import DAY

pytestmark = pytest.mark.django_db
PENSION = "basic_pension_coverage"  # percent, S ≥95%, reported per year, 市人力资源社会保障局


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def checkers(personas):
    """A second official of 五华区 and a second city official: the checkers of the makers in ``personas``."""
    return make_user("wuhua2", "county_official", org="530102"), make_user("city2", "city_official", org="530100")


def pdf(name="社保局证明.pdf", content=PDF):
    return reported.Evidence(name, io.BytesIO(content))


def report(user, value="96.5", *, key=PENSION, org="530102", period="2025", evidence=None, note="年报"):
    return reported.submit(
        key, reported.unit_for(user, org), period, value, evidence=evidence or pdf(), note=note, actor=user
    )


def codes(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errs in exc.error_dict.values() for e in errs]
    return [e.code for e in exc.error_list]


def test_maker_reports_and_a_second_official_approves(personas, catalogue, checkers):
    wuhua2, _city2 = checkers
    rv = report(personas.wuhua)
    rv.refresh_from_db()
    assert (rv.state, rv.value, rv.period_kind, rv.period_start, rv.period_end) == (
        "submitted",
        Decimal("96.5"),
        "year",
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert (rv.evidence_name, rv.evidence_size, rv.evidence_content_type) == (
        "社保局证明.pdf",
        len(PDF),
        "application/pdf",
    )
    assert rv.evidence.read() == PDF
    assert AuditEntry.objects.filter(model="monitoring.reportedvalue", object_id=str(rv.public_id)).count() == 1

    # The maker cannot approve their own value; nothing changes.
    with pytest.raises(ValidationError) as exc:
        reported.approve(rv, actor=personas.wuhua)
    assert codes(exc.value) == ["monitoring_same_user"]
    rv.refresh_from_db()
    assert rv.state == "submitted" and rv.reviewed_by is None
    # A township worker may not review at all; 官渡区's official cannot even see it.
    with pytest.raises(ValidationError) as exc:
        reported.approve(rv, actor=personas.huashan)
    assert codes(exc.value) == ["permission_denied"]
    with pytest.raises(Http404):
        reported.approve(rv, actor=personas.guandu)
    assert ReportedValue.objects.get().state == "submitted"

    reported.approve(rv, actor=wuhua2, note="核对无误")
    rv.refresh_from_db()
    assert (rv.state, rv.reviewed_by, rv.review_note) == ("approved", wuhua2, "核对无误")
    with pytest.raises(ValidationError) as exc:
        reported.approve(rv, actor=personas.city)
    assert codes(exc.value) == ["monitoring_not_awaiting_review"]


def test_reviewer_at_a_lower_level_is_refused_and_return_needs_a_reason(personas, catalogue, checkers):
    _wuhua2, city2 = checkers
    rv = report(personas.city, "97")  # the city reports for 五华区
    with pytest.raises(ValidationError) as exc:
        reported.approve(rv, actor=personas.wuhua)
    assert codes(exc.value) == ["monitoring_reviewer_level"]
    with pytest.raises(ValidationError) as exc:
        reported.return_value(rv, actor=city2, note="  ")
    assert codes(exc.value) == ["monitoring_reason_required"]
    reported.return_value(rv, actor=city2, note="请附签章版")
    rv.refresh_from_db()
    assert (rv.state, rv.review_note, rv.reviewed_by) == ("returned", "请附签章版", city2)
    # A county official's value may be checked by the city (higher level).
    mine = report(personas.wuhua, "95.2")
    reported.approve(mine, actor=personas.city)
    assert ReportedValue.objects.get(pk=mine.pk).state == "approved"


def test_a_new_value_supersedes_and_history_stays(personas, catalogue, checkers):
    wuhua2, _city2 = checkers
    first = report(personas.wuhua, "90")
    second = report(personas.wuhua, "91")  # replaces the one awaiting review at once
    assert ReportedValue.objects.get(pk=first.pk).state == "superseded"
    assert second.supersedes == first
    reported.approve(second, actor=wuhua2)
    third = report(personas.wuhua, "92")
    # The approved 91 stays in force while 92 awaits review.
    assert ReportedValue.objects.get(pk=second.pk).state == "approved"
    in_force = services.reported_in_force(date(2025, 6, 30), [second.org_unit], [PENSION])
    assert in_force[(PENSION, second.org_unit_id)].value == Decimal(91)
    reported.approve(third, actor=personas.city)
    states = dict(ReportedValue.objects.values_list("value", "state"))
    assert states == {Decimal(90): "superseded", Decimal(91): "superseded", Decimal(92): "approved"}
    assert third.supersedes == second
    in_force = services.reported_in_force(date(2025, 6, 30), [second.org_unit], [PENSION])
    assert in_force[(PENSION, second.org_unit_id)].value == Decimal(92)
    # Every version stays listed for the area.
    assert reported.value_list(personas.wuhua).count() == 3
    assert reported.value_list(personas.guandu).count() == 0


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"key": "no_such_indicator"}, "monitoring_unknown_indicator"),
        ({"key": "nursing_bed_share"}, "monitoring_computed_indicator"),
        ({"period": "2099"}, "monitoring_future_period"),
        ({"period": "2025-10"}, "monitoring_wrong_period_kind"),
        ({"period": "25"}, "monitoring_bad_period"),
        ({"value": "100.5"}, "monitoring_value_out_of_range"),
        ({"value": "-1"}, "monitoring_value_out_of_range"),
        ({"value": "abc"}, "monitoring_bad_value"),
        ({"key": "ltc_insurance_enrolled", "period": "2025-Q4", "value": "10.5"}, "monitoring_value_out_of_range"),
        ({"evidence": reported.Evidence("scan.pdf", io.BytesIO(b"GIF89a not a pdf"))}, "file_not_pdf"),
        ({"evidence": reported.Evidence("scan.exe", io.BytesIO(b"MZ"))}, "file_type"),
    ],
)
def test_refusals_have_stable_codes_and_write_nothing(personas, catalogue, kwargs, code):
    with pytest.raises(ValidationError) as exc:
        report(personas.wuhua, **kwargs)
    assert codes(exc.value) == [code]
    assert ReportedValue.objects.count() == 0
    assert not AuditEntry.objects.filter(model="monitoring.reportedvalue").exists()


def test_evidence_is_required_and_scope_is_checked(personas, catalogue):
    with pytest.raises(ValidationError) as exc:
        reported.submit(PENSION, reported.unit_for(personas.wuhua), "2025", "96", evidence=None, actor=personas.wuhua)
    assert codes(exc.value) == ["monitoring_evidence_required"]
    with pytest.raises(Http404):
        reported.unit_for(personas.wuhua, "530111")  # 官渡区
    with pytest.raises(Http404):
        reported.unit_for(personas.wuhua, "530100")  # above the county
    with pytest.raises(ValidationError) as exc:
        report(personas.huashan, org="530102001")  # a township worker reads only
    assert codes(exc.value) == ["permission_denied"]
    # A quarterly indicator (policy data) takes a quarter; a whole count of persons.
    rv = report(personas.city, "1960000", key="ltc_insurance_enrolled", org="530100", period="2025-Q4")
    assert (rv.period_start, rv.period_end) == (date(2025, 10, 1), date(2025, 12, 31))
    assert ReportedValue.objects.count() == 1


def test_approved_values_enter_the_snapshot_dashboard_and_attainment(personas, wuhua, catalogue, checkers):
    wuhua2, _city2 = checkers
    rv = report(personas.wuhua, "96.5")
    services.take_snapshot(DAY)
    assert not IndicatorSnapshot.objects.filter(indicator=PENSION).exists()  # not approved yet: awaiting a report
    reported.approve(rv, actor=wuhua2)
    first = services.take_snapshot(DAY)
    computed = services.current_catalogue().indicators.filter(source_kind="computed").count()
    assert first["rows"] == computed * 165 + 1
    snap = IndicatorSnapshot.objects.get(indicator=PENSION, date=DAY)
    assert (snap.org_unit.code, snap.value, snap.status, snap.numerator) == ("530102", Decimal("96.5"), "ok", None)
    # A period that began after the date is not in force then.
    assert services.reported_in_force(date(2024, 12, 31), [snap.org_unit], [PENSION]) == {}

    # The dashboard of a date without a snapshot reads it live; S ≥95 → attained.
    unit = snap.org_unit
    row = next(r for r in queries.area_table(unit, date(2025, 7, 15)) if r.indicator.key == PENSION)
    assert (row.value, row.status, row.stored) == (Decimal("96.5"), "ok", False)
    assert {t.code: t.status for t in row.targets} == {"S": "attained"}
    # And from the snapshot of the date.
    row = next(r for r in queries.area_table(unit, DAY) if r.indicator.key == PENSION)
    assert (row.value, row.stored, row.targets[0].status) == (Decimal("96.5"), True, "attained")
    # The city's ranking of counties by the reported indicator, live and stored.
    city = unit.parent
    for day in (DAY, date(2025, 7, 15)):
        _ind, ranking = queries.ranking(city, day, PENSION)
        assert (ranking[0].unit.code, ranking[0].rank, ranking[0].value) == ("530102", 1, Decimal("96.5"))
        assert all(r.value is None for r in ranking[1:])


def test_approval_refreshes_todays_snapshot(personas, catalogue, checkers):
    from django.utils import timezone

    wuhua2, _ = checkers
    today = timezone.localdate()
    unit = reported.unit_for(personas.wuhua)
    IndicatorSnapshot.objects.create(indicator="nursing_bed_share", org_unit=unit, date=today, status="ok")
    rv = report(personas.wuhua, "95")
    reported.approve(rv, actor=wuhua2)
    snap = IndicatorSnapshot.objects.get(indicator=PENSION, date=today)
    assert (snap.org_unit, snap.value) == (unit, Decimal(95))


def test_due_list(personas, catalogue, checkers):
    from django.utils import timezone

    wuhua2, _ = checkers
    today = timezone.localdate()
    county = reported.unit_for(personas.wuhua)
    rows = {d.indicator.key: d for d in reported.due(county, today)}
    # Reported indicators whose targets apply to every area are due from a county; city-only ones from the city.
    assert PENSION in rows and "ltc_insurance_enrolled" not in rows
    assert "ltc_insurance_enrolled" in {d.indicator.key for d in reported.due(county.parent, today)}
    assert rows[PENSION].period.label == str(today.year - 1)
    assert rows[PENSION].state == "missing"
    rv = report(personas.wuhua, "96", period=str(today.year - 1))
    assert {d.indicator.key: d for d in reported.due(county, today)}[PENSION].state == "submitted"
    reported.approve(rv, actor=wuhua2)
    row = {d.indicator.key: d for d in reported.due(county, today)}[PENSION]
    assert (row.state, row.in_force.value) == ("approved", Decimal(96))
    assert reported.due(reported.unit_for(personas.huashan), today) == []  # a township reports nothing


def test_periods_by_hand():
    from chuncheng.monitoring import periods

    q = periods.parse("2026-q1")
    assert (q.start, q.end, q.label, q.previous().label) == (date(2026, 1, 1), date(2026, 3, 31), "2026-Q1", "2025-Q4")
    m = periods.parse("2024-02")
    assert (m.end, m.label_zh, m.previous().label, periods.parse("2026-01").previous().label) == (
        date(2024, 2, 29),
        "2024年2月",
        "2024-01",
        "2025-12",
    )
    assert periods.last_complete("quarter", date(2026, 11, 23)).label == "2026-Q3"
    assert periods.last_complete("month", date(2026, 10, 31)).label == "2026-10"  # ends that day
    assert periods.last_complete("year", date(2026, 11, 23)).label == "2025"
    for bad in ("2026-13", "2026-Q5", "26", "", "2026-1"):
        with pytest.raises(ValueError):
            periods.parse(bad)


def test_policy_file_names_only_reported_indicators(catalogue):
    rules = reported.policy()
    inds = {i.key: i for i in services.current_catalogue().indicators.all()}
    assert all(inds[key].source_kind == "reported" for key in rules["reported"]["periods"])
    assert {i.unit for i in inds.values() if i.source_kind == "reported"} <= set(rules["reported"]["value_ranges"])
    assert services.current_catalogue().target_sets.filter(code=rules["bulletin"]["default_target_set"]).exists()
    assert reported.period_kind("ltc_insurance_enrolled") == "quarter" and reported.period_kind(PENSION) == "year"
