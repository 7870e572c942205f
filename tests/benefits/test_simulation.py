"""Budget simulation: the draft's cost per county and year, gains and losses, nothing written, scope, bad overrides.

The city mix (tests/benefits/batch_helpers.py) puts eight elders in 五华区 and eight in 官渡区 whose ages cross every
band boundary during 2023. Over the twelve months of 2023 they make 36 elder-months in the 80–89 band, 30 in 90–99 and
7 at 100+, so 五华区 (60/120/500 a month) costs 9,260.00 and 官渡区 (110/200/600) 14,160.00.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.benefits import services, simulation, simulation_views
from chuncheng.benefits.models import Entitlement, LedgerEntry, PaymentBatch, PolicyVersion
from chuncheng.benefits.rules import QuoteError
from chuncheng.cli import main
from chuncheng.core.models import AuditEntry
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Admission
from tests.benefits.batch_helpers import add_elders, city_mix

pytestmark = pytest.mark.django_db
P1 = "P1_longevity_allowance"
YEAR = simulation.months_for(2023)
BANDS = [
    {"key": "80-89", "min_age": 80, "max_age": 89},
    {"key": "90-99", "min_age": 90, "max_age": 99},
    {"key": "100+", "min_age": 100, "max_age": None},
]


@pytest.fixture
def city(policy, villages):
    wuhua, _other, guandu = villages
    city_mix(wuhua, guandu)
    return villages


def _rows(result) -> dict[str, dict]:
    return {r["county"]: r for r in result.as_dict()["rows"]}


def _pure_cost(code: str, months: list[date]) -> dict[str, Decimal]:
    """The same cost elder by elder and month by month through the quote (what the SQL must agree with)."""
    cost: dict[str, Decimal] = {}
    for elder in Elder.objects.select_related("org_unit"):
        for month in months:
            facts = services.elder_facts(elder, month)[0]
            try:
                quote = services.quote(code, facts, month)
            except QuoteError:
                continue
            if quote["eligible"]:
                county = elder.org_unit.code[:6]
                cost[county] = cost.get(county, Decimal(0)) + Decimal(quote["amount"])
    return cost


def _state():
    return (
        Entitlement.objects.count(),
        LedgerEntry.objects.count(),
        PaymentBatch.objects.count(),
        AuditEntry.objects.count(),
        sorted(PolicyVersion.objects.values_list("pk", "label", "parameters")),
    )


def test_a_raised_amount_raises_the_cost_by_exactly_the_expected_sum_per_county(city):
    result = simulation.simulate(P1, YEAR, {"per_month_by_county.530102.80-89": "70"})
    rows = _rows(result)
    assert set(rows) == {"530102", "530111"}
    wuhua, guandu = rows["530102"], rows["530111"]
    assert (wuhua["current"], wuhua["draft"], wuhua["difference"]) == ("9260.00", "9620.00", "360.00")  # 36 × 10
    assert (guandu["current"], guandu["draft"], guandu["difference"]) == ("14160.00", "14160.00", "0.00")
    assert wuhua["county_name"] == "五华区" and wuhua["year"] == 2023
    assert (wuhua["current_beneficiaries"], wuhua["draft_beneficiaries"], wuhua["gains"], wuhua["losses"]) == (
        7,
        7,
        0,
        0,
    )
    assert {k: Decimal(r["current"]) for k, r in rows.items()} == _pure_cost(P1, YEAR)
    body = result.as_dict()
    assert body["total"]["difference"] == "360.00" and body["total"]["current"] == "23420.00"
    assert body["totals_by_year"] == [{"year": 2023, **body["total"]}]
    assert body["overrides"] == {"per_month_by_county": {"530102": {"80-89": "70"}}}
    assert [v["label"] for v in body["policy_versions"]] == ["2023"]
    assert body["examples"] == {"gains": [], "losses": []}


def test_a_raised_age_threshold_produces_the_expected_losers(city):
    raised = [{**BANDS[0], "min_age": 85}, *BANDS[1:]]
    result = simulation.simulate(P1, YEAR, {"bands": raised})
    rows = _rows(result)
    # The two elders turning 80 in June 2023 (born 1943-06-01 and -02) are paid 7 and 6 months now, never under 85.
    assert [(r["losses"], r["gains"], r["current_beneficiaries"], r["draft_beneficiaries"]) for r in rows.values()] == [
        (2, 0, 7, 5),
        (2, 0, 7, 5),
    ]
    assert rows["530102"]["difference"] == "-780.00"  # 13 × 60
    assert rows["530111"]["difference"] == "-1430.00"  # 13 × 110
    losers = Elder.objects.filter(birth_date__in=[date(1943, 6, 1), date(1943, 6, 2)])
    examples = result.as_dict()["examples"]["losses"]
    assert {e["public_id"] for e in examples} == {str(e.public_id) for e in losers}
    assert all(e["name"].startswith("测") and set(e["name"][1:]) == {"*"} for e in examples)
    assert all("id_number" not in e and e["kind"] == "elder" for e in examples)
    # Lowering it to 79 brings in nobody new (the 79-year-olds are paid later in the year anyway) but costs more.
    lowered = simulation.simulate(P1, YEAR, {"bands": [{**BANDS[0], "min_age": 79}, *BANDS[1:]]})
    assert _rows(lowered)["530102"]["difference"] == "660.00"  # 11 more months × 60
    younger = simulation.simulate(P1, YEAR, {"bands": [{**BANDS[0], "min_age": 70}, *BANDS[1:]]})
    assert [(r["gains"], r["losses"]) for r in _rows(younger).values()] == [(1, 0), (1, 0)]  # the 73-year-olds


@pytest.mark.parametrize(
    "overrides", [{}, None, {"per_month_by_county": {"530102": {"80-89": 60}}}, {"province_share_percent": "0"}]
)
def test_unchanged_parameters_give_zero_difference_and_nobody_gains_or_loses(city, overrides):
    result = simulation.simulate(P1, YEAR, overrides).as_dict()
    assert [(r["difference"], r["gains"], r["losses"]) for r in result["rows"]] == [("0.00", 0, 0)] * 2
    assert result["total"]["current"] == result["total"]["draft"] == "23420.00"


def test_nothing_is_written(city, personas):
    from chuncheng.benefits import batches
    from tests.benefits.batch_helpers import PERIOD

    batches.run(P1, PERIOD, actor=personas.city)
    before = _state()
    with CaptureQueriesContext(connection) as queries:
        simulation.simulate(P1, YEAR, {"per_month_by_county.530111.100+": "900", "bands": BANDS}, user=personas.city)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert _state() == before
    assert PolicyVersion.objects.get(label="2023").parameters["per_month_by_county"]["value"]["530111"]["100+"] == "600"


def test_a_county_official_sees_only_their_county_and_its_totals(city, personas, login, client):
    url = f"/api/v1/benefits/simulate/{P1}/"
    body = {"year": 2023, "parameters": {"per_month_by_county": {"530111": {"90-99": "250"}}}}
    assert client.post(url, body, content_type="application/json").status_code == 401
    guandu = login(personas.guandu).post(url, body, content_type="application/json")
    assert guandu.status_code == 200
    data = guandu.json()
    assert [r["county"] for r in data["rows"]] == ["530111"]
    assert data["total"]["difference"] == "1500.00" and data["scope"] == "530111"  # 30 × 50
    wuhua = login(personas.wuhua).post(url, body, content_type="application/json").json()
    assert [r["county"] for r in wuhua["rows"]] == ["530102"]
    assert wuhua["total"]["difference"] == "0.00" and wuhua["total"]["current"] == "9260.00"
    city_view = login(personas.city).post(url, body, content_type="application/json").json()
    assert [r["county"] for r in city_view["rows"]] == ["530102", "530111"]
    assert city_view["total"]["current"] == "23420.00"
    lower = (
        login(personas.wuhua)
        .post(
            url,
            {"year": 2023, "parameters": {"bands": [{**BANDS[0], "min_age": 85}, *BANDS[1:]]}},
            content_type="application/json",
        )
        .json()
    )
    assert {e["county"] for e in lower["examples"]["losses"]} == {"530102"} and len(lower["examples"]["losses"]) == 2
    for persona in (personas.huashan, personas.community, personas.operator, personas.sysadmin):
        assert login(persona).post(url, body, content_type="application/json").status_code == 404
    with pytest.raises(QuoteError) as exc:
        simulation.simulate(P1, YEAR, user=personas.operator)
    assert exc.value.code == "permission_denied"


BAD = [
    ({"nope": 1}, "parameter_unknown"),
    ({"per_month_by_county": {"539999": {"80-89": "1"}}}, "parameter_unknown"),
    ({"per_month_by_county.530102.70-79": "1"}, "parameter_unknown"),
    ({"per_month_by_county.530102.80-89": "lots"}, "parameter_invalid"),
    ({"per_month_by_county.530102.80-89": True}, "parameter_invalid"),
    ({"per_month_by_county": "70"}, "parameter_invalid"),
    ({"per_month_by_county.530102.80-89": "-5"}, "parameter_negative"),
    ({"per_month_by_county.530102.80-89": -5}, "parameter_negative"),
    ({"province_share_percent": "150"}, "parameter_invalid"),
    ({"bands": [{**BANDS[0], "max_age": 95}, *BANDS[1:]]}, "parameter_invalid"),  # overlap
    ({"bands": [{"key": "80-89", "min_age": 80}]}, "parameter_invalid"),  # max_age missing
    ({"bands": [{**BANDS[0], "min_age": 80.5}, *BANDS[1:]]}, "parameter_invalid"),  # not an integer
    ({"bands": [{**BANDS[0], "min_age": -1}, *BANDS[1:]]}, "parameter_negative"),
    ({"bands": [{**BANDS[0], "key": "80-84"}, *BANDS[1:]]}, "parameter_invalid"),  # no amount for that band
    ({"bands": []}, "parameter_invalid"),
    ([1, 2], "parameter_invalid"),
]


@pytest.mark.parametrize(("overrides", "code"), BAD)
def test_bad_overrides_are_refused_with_a_code_and_a_chinese_message(city, personas, login, overrides, code):
    before = _state()
    with pytest.raises(QuoteError) as exc:
        simulation.simulate(P1, YEAR, overrides)
    assert exc.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    response = login(personas.city).post(
        f"/api/v1/benefits/simulate/{P1}/", {"year": 2023, "parameters": overrides}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert _state() == before


@pytest.mark.parametrize(
    ("programme", "body", "status", "code"),
    [
        ("B0_unknown", {"year": 2023}, 404, "programme_unknown"),
        ("B1_bed_construction", {"year": 2023}, 422, "programme_not_simulated"),
        (P1, {"year": 2020}, 422, "policy_not_in_force"),
        (P1, {"year": "20x6"}, 422, "input_invalid"),
        (P1, {}, 422, "input_missing_key"),
        (P1, {"year": 2023, "from": "2023-01"}, 422, "input_invalid"),
        (P1, {"from": "2023-06", "to": "2023-01"}, 422, "input_invalid"),
        (P1, {"from": "2020-01", "to": "2023-12"}, 422, "input_invalid"),
        ("B2_operating", {"year": 2023, "parameters": {"method": "per_bed_year"}}, 422, "parameter_not_editable"),
    ],
)
def test_api_refusals(city, personas, login, programme, body, status, code):
    response = login(personas.city).post(
        f"/api/v1/benefits/simulate/{programme}/", body, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_period_range_over_two_years_gives_one_row_per_county_and_year(city):
    result = simulation.simulate(P1, simulation.months_for(start="2022-11", end="2023-02"), {}).as_dict()
    assert {(r["county"], r["year"]) for r in result["rows"]} == {("530102", 2023), ("530111", 2023)}
    assert result["warnings"] == ["2022-11、2022-12 没有生效的政策版本，按 0 计"]
    assert (result["from"], result["to"]) == ("2022-11", "2023-02")


def test_other_elder_programmes_are_priced_by_cells_and_agree_with_the_rule(policy, villages):
    wuhua, _other, guandu = villages
    births = [date(1958, 3, 1), date(1958, 3, 2), date(1950, 7, 15), date(1940, 1, 1), date(1965, 1, 1)]
    poor = add_elders(wuhua, births, "p2w") + add_elders(guandu, births[:2], "p2g")
    Elder.objects.filter(pk__in=[e.pk for e in poor]).update(tekun=True)
    add_elders(wuhua, [date(1950, 1, 1)], "rich")
    code = "P2_service_subsidy_poor"
    result = simulation.simulate(code, YEAR, {"min_age": 70})
    rows = _rows(result)
    pure = _pure_cost(code, YEAR)
    assert {k: Decimal(r["current"]) for k, r in rows.items()} == pure
    # min_age 60 → 70: the two born in March 1958 (aged 64–65) lose, in each county; 1950 and 1940 keep it.
    assert (rows["530102"]["losses"], rows["530111"]["losses"], rows["530102"]["gains"]) == (2, 2, 0)
    assert rows["530111"]["draft"] == "0.00" and rows["530102"]["draft"] == "2400.00"  # 2 × 12 × 100
    assert len(result.as_dict()["examples"]["losses"]) == 4
    assert "UNVERIFIED" not in json.dumps(result.as_dict()) and result.as_dict()["warnings"]  # placeholder warned


def test_institution_programmes_are_priced_per_beneficiary(policy, personas, registry):
    Admission.objects.create(
        elder=registry.wuhua, institution=personas.wuhua_home, admitted_on=date(2023, 1, 1), bed_kind="general"
    )
    registry.wuhua.capability_level = "mild"
    registry.wuhua.save(update_fields=["capability_level"])
    result = simulation.simulate("B2_operating", YEAR, {"per_month_by_level": {"mild": "80"}})
    rows = _rows(result)
    assert list(rows) == ["530102"]
    assert (rows["530102"]["current"], rows["530102"]["draft"]) == ("840.00", "960.00")  # 12 × 70 → 12 × 80
    none = simulation.simulate("B2_operating", YEAR, {"social_force_kinds": ["public"]})
    assert _rows(none)["530102"]["losses"] == 1
    assert none.as_dict()["examples"]["losses"][0]["name"] == "华山颐养院"  # an institution's name is not masked


def test_the_page_prefills_the_parameters_and_shows_the_result(city, personas, login, client):
    url = "/benefits/simulate/"
    assert client.get(url).status_code == 302
    city_official = login(personas.city)
    default = city_official.get(url)  # the first programme, in a year with a version in force
    assert default.status_code == 200 and default.context["fields"] and default.context["error"] is None
    page = city_official.get(f"{url}?programme={P1}&year=2023")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="p-per_month_by_county"' in text and "530102" in text
    fields = {f["name"]: f["text"] for f in simulation_views.parameter_fields(simulation.simulated_programme(P1), YEAR)}
    table = json.loads(fields["per_month_by_county"])
    table["530102"]["80-89"] = "70"
    data = {f"p-{k}": v for k, v in fields.items()} | {"programme": P1, "year": "2023"}
    data["p-per_month_by_county"] = json.dumps(table, ensure_ascii=False)
    result = city_official.post(url, data)
    assert result.status_code == 200
    body = result.content.decode()
    assert 'data-testid="simulation-result"' in body and "360.00" in body and "9620.00" in body
    unchanged = city_official.post(url, {f"p-{k}": v for k, v in fields.items()} | {"programme": P1, "year": "2023"})
    assert 'data-testid="simulation-total"' in unchanged.content.decode()
    assert (
        unchanged.context["result"]["overrides"] == {} and unchanged.context["result"]["total"]["difference"] == "0.00"
    )
    bad = city_official.post(url, data | {"p-province_share_percent": "-3"})
    assert bad.context["error"]["code"] == "parameter_negative"
    county = login(personas.wuhua).post(url, data)
    assert [r["county"] for r in county.context["result"]["rows"]] == ["530102"]
    assert login(personas.huashan).get(url).status_code == 404
    assert login(personas.sysadmin).get(url).status_code == 404


def test_cli_prints_json_and_refuses_bad_input(city, capsys, tmp_path):
    args = ["benefits", "simulate", P1, "--year", "2023", "--set", "per_month_by_county.530102.80-89=70"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"]["difference"] == "360.00"
    path = tmp_path / "draft.json"
    path.write_text(json.dumps({"bands": [{**BANDS[0], "min_age": 85}, *BANDS[1:]]}), encoding="utf-8")
    assert main(["benefits", "simulate", P1, "--year", "2023", "--parameters", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["losses"] == 4
    assert main(["benefits", "simulate", P1, "--year", "2023", "--set", "nope=1"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "parameter_unknown"
    assert main(["benefits", "simulate", P1, "--year", "2023", "--set", "novalue"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "input_invalid"
    assert main(["benefits", "simulate", P1, "--from", "2023-01", "--to", "2023-03"]) == 0
    assert json.loads(capsys.readouterr().out)["to"] == "2023-03"


@pytest.mark.parametrize("code", [P1, "P2_service_subsidy_poor"])
def test_elder_programmes_are_set_based_the_query_count_does_not_grow_with_the_elders(city, villages, code):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            simulation.simulate(code, YEAR, {"min_age": 61} if code != P1 else {"bands": BANDS})
        return len(queries.captured_queries)

    before = count()
    add_elders(villages[0], [date(1930 + i % 40, 1 + i % 12, 1 + i % 28) for i in range(300)], "more")
    assert count() == before


def test_an_override_applies_to_every_version_in_force_over_the_range(city):
    current = PolicyVersion.objects.get(programme__code=P1, label="2023")
    if not PolicyVersion.objects.filter(programme__code=P1, effective_from__year=2024).exists():
        PolicyVersion.objects.create(
            programme=current.programme,
            label="test-2024",
            effective_from=date(2024, 1, 1),
            parameters=current.parameters,
            source="test",
        )
    months = simulation.months_for(start="2023-12", end="2024-01")
    result = simulation.simulate(P1, months, {"per_month_by_county.530102.80-89": "70"}).as_dict()
    assert len(result["policy_versions"]) == 2
    # 五华区 has three elders aged 80–89 in December 2023 and three in January 2024.
    by_year = {(r["county"], r["year"]): r["difference"] for r in result["rows"]}
    assert by_year == {
        ("530102", 2023): "30.00",
        ("530102", 2024): "30.00",
        ("530111", 2023): "0.00",
        ("530111", 2024): "0.00",
    }
