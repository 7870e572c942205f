"""P2 and P3 batches compiled to SQL (``compiler.compile_elder_cells``): for a varied registry, the batch creates exactly
the entitlements the pure rule gives elder by elder (amount, shares, breakdown, reasons), in several chunks, with an
area version; a rule the cells cannot express refuses to compile; the number of queries does not grow with elders."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.benefits import batches, compiler, rules, services
from chuncheng.benefits.choices import BatchStatus, EntitlementStatus
from chuncheng.benefits.models import Entitlement, PolicyVersion
from chuncheng.benefits.policy import get_programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.elders.models import Elder
from tests.benefits.batch_helpers import PERIOD, add_elders

pytestmark = pytest.mark.django_db
P2, P3 = "P2_service_subsidy_poor", "P3_disability_care_subsidy"

# Ages on 2023-06-01 around min_age (60, and 65 for the area versions below) and far above it.
BIRTHS = [
    date(1963, 6, 2),  # 59, one day short of 60
    date(1963, 6, 1),  # 60 exactly
    date(1963, 5, 31),  # 60
    date(1962, 12, 31),  # 60
    date(1960, 2, 29),  # 63, born on 29 February
    date(1958, 6, 2),  # 64, one day short of 65
    date(1958, 6, 1),  # 65 exactly
    date(1938, 1, 1),  # 85
    date(1923, 6, 1),  # 100
    date(1980, 1, 1),  # 43
]
CATEGORIES = [(), ("tekun",), ("dibao",), ("dibao_edge",), ("tekun", "dibao_edge")]
LEVELS = ["", *rules.CAPABILITY_LEVELS]


def _registry(villages) -> int:
    """One elder per (county, birth, categories, level) and a few not active; returns how many were made."""
    wuhua, other_wuhua, guandu = villages
    made = 0
    for unit, (n, born) in itertools.product([wuhua, other_wuhua, guandu], enumerate(BIRTHS)):
        elders = add_elders(unit, [born] * len(CATEGORIES) * len(LEVELS), f"{unit.code}-{n}")
        for elder, (categories, level) in zip(elders, itertools.product(CATEGORIES, LEVELS), strict=True):
            for category in categories:
                setattr(elder, category, True)
            elder.capability_level = level
        Elder.objects.bulk_update(elders, ["tekun", "dibao", "dibao_edge", "capability_level"])
        made += len(elders)
    ids = sorted(Elder.objects.values_list("pk", flat=True))
    Elder.objects.filter(pk__in=ids[::7]).update(status="deceased", died_on=date(2023, 5, 20))
    Elder.objects.filter(pk__in=ids[3::11]).update(status="moved_away")
    return made


def _expected(code: str) -> dict[int, tuple]:
    """What the pure rule gives each active elder (the quote the elder's page shows), payable ones only."""
    programme = get_programme(code)
    out = {}
    for elder in Elder.objects.select_related("org_unit").filter(status="active"):
        try:
            quote = services.quote_with(programme, services.elder_facts(elder, PERIOD)[0], PERIOD)
        except QuoteError:
            continue
        if quote["eligible"] and Decimal(quote["amount"]) > 0:
            shares = quote["fund_shares"]
            out[elder.pk] = (
                elder.org_unit_id,
                Decimal(quote["amount"]),
                Decimal(shares["province"]),
                Decimal(shares["city"]),
                Decimal(shares["county"]),
                quote["breakdown"],
                quote["reasons"],
            )
    return out


def _created(batch) -> dict[int, tuple]:
    rows = Entitlement.objects.filter(batch=batch).values_list(
        "beneficiary_id",
        "org_unit_id",
        "amount",
        "province_share",
        "city_share",
        "county_share",
        "breakdown",
        "reasons",
        "beneficiary_kind",
        "status",
    )
    out = {}
    for pk, *values, kind, status in rows:
        assert (kind, status) == ("elder", EntitlementStatus.PAYABLE)
        out[pk] = tuple(values)
    return out


def _area_version(code: str, **changes) -> PolicyVersion:
    """A 官渡区 version of the programme in force from 2023-01-01 with some parameters changed."""
    city = get_programme(code).versions.get(area="")
    parameters = {name: dict(spec) for name, spec in city.parameters.items()}
    for name, value in changes.items():
        parameters[name]["value"] = value
    return PolicyVersion.objects.create(
        programme=city.programme,
        label="test-guandu",
        area="530111",
        effective_from=date(2023, 1, 1),
        parameters=parameters,
        source="test",
    )


@pytest.mark.parametrize(
    ("code", "guandu"),
    [
        (P2, None),
        (P3, None),
        (P2, {"min_age": 65, "per_month": "150.5", "province_share_percent": "33"}),
        (P3, {"min_age": 65, "require_economic_difficulty": False, "per_month_by_level": {"mild": "30", "total": "1"}}),
    ],
    ids=["P2", "P3", "P2-guandu-version", "P3-guandu-version"],
)
def test_compiled_batch_creates_what_the_pure_rule_gives_each_elder(policy, villages, monkeypatch, code, guandu):
    made = _registry(villages)
    if guandu:
        _area_version(code, **guandu)
    expected = _expected(code)
    monkeypatch.setenv(batches.CHUNK_ENV, "97")  # several chunks, boundaries inside the registry
    batch = batches.run(code, PERIOD)
    assert batch.status == BatchStatus.COMPUTED and batch.chunks == -(-batch.max_pk // 97)
    created = _created(batch)
    assert created == expected
    # The registry covers every case: payable and not, in each county, and not every elder is paid.
    assert 0 < len(expected) < made
    assert {Elder.objects.get(pk=pk).org_unit.code[:6] for pk in expected} == {"530102", "530111"}
    reasons = {r["condition"]: r for pk in expected for r in expected[pk][-1]}
    assert reasons["age"]["passed"]
    if guandu:  # the area version is the one applied in 官渡区
        guandu_amounts = {
            row[1] for pk, row in expected.items() if Elder.objects.get(pk=pk).org_unit.code[:6] == "530111"
        }
        assert Decimal(150.5 if code == P2 else 30).quantize(rules.CENT) in guandu_amounts
    # Idempotent; the dry run counts the same.
    again = batches.run(code, PERIOD)
    assert again.created_count == len(expected) == Entitlement.objects.filter(batch=batch).count()
    dry = batches.dry_run(code, PERIOD)
    assert (dry.entitlements, dry.amount) == (len(expected), sum(row[1] for row in expected.values()))


def test_ages_are_written_into_the_reasons(policy, villages):
    wuhua = villages[0]
    [young, old] = add_elders(wuhua, [date(1963, 6, 1), date(1921, 2, 28)], "age")
    Elder.objects.filter(pk__in=[young.pk, old.pk]).update(dibao=True)
    batch = batches.run(P2, PERIOD)
    reasons = dict(Entitlement.objects.filter(batch=batch).values_list("beneficiary_id", "reasons"))
    assert reasons[young.pk][0]["value"] == "60周岁" and reasons[young.pk][0]["message"] == "年龄 60周岁 ≥ 60周岁"
    assert reasons[old.pk][0]["value"] == "102周岁" and reasons[old.pk][0]["message"] == "年龄 102周岁 ≥ 60周岁"
    assert str(compiler.AGE_MARK) not in str(reasons)


def test_a_rule_the_cells_cannot_express_refuses_to_compile(policy, monkeypatch):
    """A rule whose result depends on the exact age (not only age ≥ min_age) must not be compiled into cells."""
    flat = rules.SHAPES["flat_monthly"]

    def centenarian_bonus(params, raw):
        result = flat(params, raw)
        if raw["age"] >= 100 and result.eligible:
            result.amount += 1
        return result

    monkeypatch.setitem(rules.SHAPES, "flat_monthly", centenarian_bonus)
    programme = get_programme(P2)
    with pytest.raises(compiler.NotCompilable, match="differs from its compiled cell"):
        compiler.compile_elder_cells(programme, PERIOD)


def test_queries_do_not_grow_with_the_elders(policy, villages):
    wuhua, _other, guandu = villages

    def run_counting(period: date) -> int:
        with CaptureQueriesContext(connection) as queries:
            batches.run(P3, period)
        return len(queries)

    add_elders(wuhua, [date(1940, 1, 1)] * 20, "a")
    Elder.objects.update(dibao=True, capability_level="severe")
    few = run_counting(PERIOD)
    add_elders(guandu, [date(1930, 1, 1)] * 300, "b")
    Elder.objects.update(dibao=True, capability_level="severe")
    many = run_counting(date(2023, 7, 1))
    assert Entitlement.objects.filter(period=date(2023, 7, 1)).count() == 320
    assert many == few
