"""Benefit calculations as pure functions of (policy parameters, facts): no Django, no database, Decimal money.

One function per rule shape (``Programme.shape``). Each takes the parameter *values* of the policy version in force
(``{name: value}``, see ``policies/kunming/benefits/programmes.json`` for the source of every number) and one
beneficiary's facts, checks the facts (``QuoteError`` with a stable code), and returns a ``Result``: eligible,
amount, breakdown lines, the conditions with the value seen and the threshold, and the fund shares.

Money is quantized to 0.01 yuan with ROUND_HALF_UP once per line; the amount is the sum of the lines; the shares are
rounded the same way and the county takes the remainder, so province + city + county == amount exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

CAPABILITY_LEVELS = ("intact", "mild", "moderate", "severe", "total")
LEVEL_NAMES = {
    "intact": "能力完好",
    "mild": "轻度失能",
    "moderate": "中度失能",
    "severe": "重度失能",
    "total": "完全失能",
}
GRADE_NAMES = {
    "junior": "初级",
    "intermediate": "中级",
    "senior": "高级",
    "technician": "技师",
    "senior_technician": "高级技师",
}
CENTRE_GRADES = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}
CENTRE_GRADE_ALIASES = {"优": "excellent", "良": "good", "中": "fair", "差": "poor"}
CENTRE_TYPES = {
    "city": "城市社区居家养老服务中心",
    "rebranded": "翻牌社区中心",
    "private_operated": "公办民营/民办民营中心",
}


class QuoteError(ValueError):
    """Facts or policy the calculation refuses. ``code`` is stable English; ``message`` is Chinese."""

    def __init__(self, code: str, message: str, key: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.key = key

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.key:
            out["key"] = self.key
        return out


@dataclass(frozen=True)
class Condition:
    """One condition as checked: what it is, the value seen, the threshold, pass/fail, and a Chinese sentence.

    ``kind`` is ``eligibility`` (failing it makes the beneficiary ineligible) or ``supplement`` (it only decides an
    extra line, e.g. B1's nursing-type supplement)."""

    code: str
    value: str
    threshold: str
    passed: bool
    sentence: str
    kind: str = "eligibility"

    def as_dict(self) -> dict[str, Any]:
        return {
            "condition": self.code,
            "value": self.value,
            "threshold": self.threshold,
            "passed": self.passed,
            "kind": self.kind,
            "message": self.sentence,
        }


@dataclass(frozen=True)
class Line:
    """One line of the breakdown: quantity × rate = amount (amount already quantized)."""

    code: str
    label: str
    quantity: str
    rate: str
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.code,
            "label": self.label,
            "quantity": self.quantity,
            "rate": self.rate,
            "amount": str(self.amount),
        }


@dataclass
class Result:
    eligible: bool
    amount: Decimal
    breakdown: list[Line]
    reasons: list[Condition]
    shares: dict[str, Decimal]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "amount": str(self.amount),
            "breakdown": [line.as_dict() for line in self.breakdown],
            "reasons": [c.as_dict() for c in self.reasons],
            "fund_shares": {k: str(v) for k, v in self.shares.items()},
            "warnings": self.warnings,
        }


# ---------------------------------------------------------------------------------------------------------------
# Numbers and facts


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def show(value: Decimal) -> str:
    """A number for a sentence: no exponent, no trailing zeros (29.90 → 29.9, 30.00 → 30)."""
    text = format(value.normalize(), "f")
    return text


def show_seen(value: Decimal) -> str:
    """A value seen, cut (never rounded up) to 0.01, so a shown value never appears to pass a threshold it fails."""
    return show(value.quantize(CENT, rounding=ROUND_DOWN))


def _missing(key: str) -> QuoteError:
    return QuoteError("input_missing_key", f"缺少输入项 {key}", key)


def _invalid(key: str, expected: str) -> QuoteError:
    return QuoteError("input_invalid", f"输入项 {key} 无效：应为{expected}", key)


class Facts:
    """Typed access to one beneficiary's facts; every refusal names the key."""

    def __init__(self, raw: Any) -> None:
        if not isinstance(raw, Mapping):
            raise QuoteError("input_invalid", "输入须为 JSON 对象（键为事实项）")
        self.raw = raw

    def _get(self, key: str, default: Any) -> Any:
        if key in self.raw and self.raw[key] is not None:
            return self.raw[key]
        if default is _REQUIRED:
            raise _missing(key)
        return default

    def number(self, key: str, default: Any = None, *, maximum: Decimal | None = None) -> Decimal:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise _invalid(key, "数字")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise _invalid(key, "数字") from exc
        if not number.is_finite():
            raise _invalid(key, "数字")
        if number < 0:
            raise QuoteError("input_negative", f"输入项 {key} 不能为负数（收到 {value}）", key)
        if maximum is not None and number > maximum:
            raise _invalid(key, f"不大于 {show(maximum)} 的数字")
        return number

    def count(self, key: str, default: Any = None) -> int:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise QuoteError("input_negative", f"输入项 {key} 不能为负数（收到 {value}）", key)
            raise _invalid(key, "整数")
        if value < 0:
            raise QuoteError("input_negative", f"输入项 {key} 不能为负数（收到 {value}）", key)
        return value

    def flag(self, key: str, default: Any = None) -> bool:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, bool):
            raise _invalid(key, "true 或 false")
        return value

    def choice(self, key: str, options: Mapping[str, str] | tuple[str, ...], default: Any = None) -> str:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, str) or value not in options:
            raise _invalid(key, "以下之一：" + "、".join(options))
        return value

    def text(self, key: str, default: Any = None) -> str:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, str):
            raise _invalid(key, "文本")
        return value


_REQUIRED = object()


def _months(facts: Facts, key: str = "months", default: int = 1) -> int:
    months = facts.count(key, default)
    if not 1 <= months <= 12:
        raise _invalid(key, "1–12 的整数（月数）")
    return months


def fund_shares(amount: Decimal, params: Mapping[str, Any]) -> dict[str, Decimal]:
    """Province first, then the city's share of the rest; the county takes the remainder (so the sum is exact)."""
    province = money(amount * dec(params.get("province_share_percent", 0)) / HUNDRED)
    city = money((amount - province) * dec(params.get("city_share_of_rest_percent", 0)) / HUNDRED)
    return {"province": province, "city": city, "county": amount - province - city}


def _check(code: str, value: str, threshold: str, passed: bool, yes: str, no: str, kind: str = "eligibility"):
    return Condition(code, value, threshold, passed, yes if passed else no, kind)


def _at_least(code: str, name: str, seen: Decimal, minimum: Decimal, unit: str = "", kind: str = "eligibility"):
    value, limit = show_seen(seen) + unit, show(minimum) + unit
    return _check(
        code, value, "≥ " + limit, seen >= minimum, f"{name} {value} ≥ {limit}", f"{name} {value} < {limit}", kind
    )


def _sanction(facts: Facts) -> Condition:
    sanctioned = facts.flag("sanctioned", False)
    note = facts.text("sanction_note", "")
    return _check(
        "not_sanctioned",
        "是" if sanctioned else "否",
        "否",
        not sanctioned,
        "未列入黑名单、未被责令退出",
        "已列入黑名单或被责令退出，不享受补贴（B7）" + (f"：{note}" if note else ""),
    )


def _finish(
    params: Mapping[str, Any], reasons: list[Condition], lines: list[Line], warnings: list[str] | None = None
) -> Result:
    eligible = all(c.passed for c in reasons if c.kind == "eligibility")
    if not eligible:
        lines = []
    amount = sum((line.amount for line in lines), ZERO)
    return Result(eligible, amount, lines, reasons, fund_shares(amount, params), warnings or [])


def _line(code: str, label: str, quantity: Decimal | int, rate: Decimal, unit: str = "") -> Line:
    quantity = dec(quantity)
    return Line(code, label, show(quantity) + unit, show(rate), money(quantity * rate))


def _social_force(facts: Facts, kinds: list[str], key: str = "kind", name: str = "社会力量兴办") -> Condition:
    kind = facts.text(key)
    return _check(
        "social_force",
        kind,
        "、".join(kinds),
        kind in kinds,
        f"机构类型 {kind} 属于{name}",
        f"机构类型 {kind} 不属于{name}",
    )


# ---------------------------------------------------------------------------------------------------------------
# The rule shapes


def bed_construction(params: Mapping[str, Any], raw: Any) -> Result:
    """B1: one-time bed construction subsidy (kunming-policy.md §4 B1)."""
    facts = Facts(raw)
    reasons = [_social_force(facts, params["social_force_kinds"]), _sanction(facts)]
    prop = facts.choice("property", ("owned", "leased"))
    beds = facts.count("approved_beds")
    paid = facts.count("paid_beds", 0)
    occupancy = facts.number("occupancy", maximum=HUNDRED)
    nursing_type = facts.flag("nursing_type")
    reasons.append(_at_least("occupancy", "入住率", occupancy, dec(params["min_occupancy_percent"]), "%"))
    reasons.append(_at_least("approved_beds", "核定床位", Decimal(beds), dec(params["min_approved_beds"]), "张"))
    if prop == "owned":
        reasons.append(_check("property", "自建产权", "自建产权或租期达标", True, "自建产权用房", ""))
        rate, extra = dec(params["owned_per_bed"]), dec(params["nursing_supplement_owned_per_bed"])
    else:
        lease = facts.number("lease_years")
        reasons.append(_at_least("lease_years", "租赁期限", lease, dec(params["min_lease_years"]), "年"))
        rate, extra = dec(params["leased_per_bed"]), dec(params["nursing_supplement_leased_per_bed"])
    new_beds = beds - paid
    reasons.append(
        _check(
            "unpaid_beds",
            f"{max(new_beds, 0)}张",
            "> 0张",
            new_beds > 0,
            f"核定床位 {beds} 张，已补助 {paid} 张，本次补助 {new_beds} 张",
            f"核定床位 {beds} 张均已补助（已补助 {paid} 张），不重复补助",
        )
    )
    lines = [_line("per_bed", "自建产权床位补助" if prop == "owned" else "租赁用房床位补助", new_beds, rate, "张")]
    if nursing_type:
        nursing = facts.number("nursing_occupancy", maximum=HUNDRED)
        supplement = _at_least(
            "nursing_occupancy",
            "护理老人入住率",
            nursing,
            dec(params["min_nursing_occupancy_percent"]),
            "%",
            kind="supplement",
        )
        reasons.append(supplement)
        if supplement.passed:
            lines.append(_line("nursing_supplement", "护理型机构床位补助", new_beds, extra, "张"))
    else:
        reasons.append(
            _check("nursing_type", "否", "护理型养老机构", False, "", "非护理型机构，无护理型补助", "supplement")
        )
    return _finish(params, reasons, lines)


def operating(params: Mapping[str, Any], raw: Any) -> Result:
    """B2 (2018, per approved bed per year) and B2' (2022, per resident per month by capability level)."""
    facts = Facts(raw)
    reasons = [_social_force(facts, params["social_force_kinds"]), _sanction(facts)]
    if params["method"] == "per_bed_year":
        beds = facts.count("approved_beds")
        in_use = facts.number("months_in_use")
        residents = facts.count("residents")
        months = _months(facts, "months", 12)
        reasons.append(_at_least("months_in_use", "投入使用", in_use, dec(params["min_months_in_use"]), "个月"))
        reasons.append(
            _check("residents", f"{residents}人", "> 0人", residents > 0, f"在住老人 {residents} 人", "无在住老人")
        )
        rate = dec(params["per_bed_year"])
        amount = money(Decimal(beds) * rate * months / 12)
        lines = [Line("per_bed_year", "核定床位运营补贴", f"{beds}张 × {months}/12年", show(rate), amount)]
        return _finish(params, reasons, lines)
    by_level = facts.raw.get("residents_by_level")
    if by_level is None:
        raise _missing("residents_by_level")
    if not isinstance(by_level, Mapping) or any(k not in CAPABILITY_LEVELS for k in by_level):
        raise _invalid("residents_by_level", "以能力等级（" + "、".join(CAPABILITY_LEVELS) + "）为键的人数")
    counts = Facts(by_level)
    months = _months(facts)
    rates = params["per_month_by_level"]
    lines = []
    total = 0
    for level in CAPABILITY_LEVELS:
        n = counts.count(level, 0)
        total += n
        if n:
            rate = dec(rates[level])
            lines.append(
                Line(
                    f"level_{level}",
                    f"{LEVEL_NAMES[level]}老人",
                    f"{n}人 × {months}月",
                    show(rate),
                    money(n * months * rate),
                )
            )
    reasons.append(_check("residents", f"{total}人", "> 0人", total > 0, f"在住老人 {total} 人", "无在住老人"))
    return _finish(params, reasons, lines)


def caregiver_post(params: Mapping[str, Any], raw: Any) -> Result:
    """B3: caregiver post allowance; where the version carries the Guandu extension, trained uncertified staff too."""
    facts = Facts(raw)
    reasons = [_social_force(facts, params["private_kinds"], "employer_kind", "民办养老机构")]
    grade = facts.choice("certificate_grade", ("", *GRADE_NAMES))
    insured = facts.flag("social_insurance")
    months = _months(facts)
    reasons.append(
        _check("social_insurance", "是" if insured else "否", "是", insured, "已缴纳社会保险", "未缴纳社会保险")
    )
    extension = params.get("uncertified_per_month_by_years")
    if grade:
        contract = facts.number("contract_years")
        reasons.append(_at_least("contract_years", "劳动合同期限", contract, dec(params["min_contract_years"]), "年"))
        reasons.append(
            _check("certificate", GRADE_NAMES[grade], "持养老护理职业资格证书", True, f"持{GRADE_NAMES[grade]}证书", "")
        )
        rate = dec(params["per_month_by_grade"][grade])
        lines = [_line(f"grade_{grade}", f"{GRADE_NAMES[grade]}护理员岗位补贴", months, rate, "月")]
        return _finish(params, reasons, lines)
    if not extension:
        reasons.append(_check("certificate", "无", "持养老护理职业资格证书", False, "", "未持养老护理职业资格证书"))
        return _finish(params, reasons, [])
    trained = facts.flag("trained")
    years = facts.number("years_in_post")
    reasons.append(_check("trained", "是" if trained else "否", "是", trained, "已完成护理员培训", "未完成护理员培训"))
    bands = sorted(extension, key=lambda b: dec(b["min_years"]))
    reasons.append(_at_least("years_in_post", "在民办机构连续工作", years, dec(bands[0]["min_years"]), "年"))
    reached = [b for b in bands if years >= dec(b["min_years"])]
    lines = []
    if reached:
        band = reached[-1]
        label = f"未持证护理员岗位补贴（连续工作满{show(dec(band['min_years']))}年）"
        lines.append(_line("uncertified_years", label, months, dec(band["amount"]), "月"))
    return _finish(params, reasons, lines)


def graduate_once(params: Mapping[str, Any], raw: Any) -> Result:
    """B4: one-time 600 yuan per graduate hired by an eldercare institution or enterprise."""
    facts = Facts(raw)
    graduate = facts.flag("graduate")
    employer = facts.flag("employer_is_eldercare")
    paid = facts.flag("already_paid", False)
    reasons = [
        _check("graduate", "是" if graduate else "否", "是", graduate, "高校毕业生", "非高校毕业生（或未登记）"),
        _check(
            "employer", "是" if employer else "否", "是", employer, "受聘于养老机构或企业", "用人单位不是养老机构或企业"
        ),
        _check(
            "not_paid_before", "是" if paid else "否", "否", not paid, "此前未领取", "已领取过一次性补贴，不重复发放"
        ),
    ]
    return _finish(params, reasons, [_line("once", "一次性就业补贴", 1, dec(params["amount"]), "人")])


def centre_construction(params: Mapping[str, Any], raw: Any) -> Result:
    """B5 construction: per m² for a city home-care centre of at least the minimum area, capped; renovation pays part."""
    facts = Facts(raw)
    area = facts.number("area_m2")
    project = facts.choice("project", {"new": "新建", "renovation": "改扩建"})
    reasons = [_at_least("area_m2", "建筑面积", area, dec(params["min_area_m2"]), "m²"), _sanction(facts)]
    rate, cap = dec(params["per_m2"]), dec(params["cap"])
    gross = money(area * rate)
    lines = [Line("per_m2", "建设补助（按面积）", show(area) + "m²", show(rate), gross)]
    if gross > cap:
        lines.append(Line("cap", f"封顶 {show(cap)} 元", "1", show(cap - gross), cap - gross))
    if project == "renovation":
        capped = min(gross, cap)
        pct = dec(params["renovation_percent"])
        paid = money(capped * pct / HUNDRED)
        lines.append(Line("renovation", f"改扩建项目按 {show(pct)}%", "1", show(paid - capped), paid - capped))
    return _finish(params, reasons, lines)


def centre_operation(params: Mapping[str, Any], raw: Any) -> Result:
    """B5 operation: the yearly cap of the centre type times the percent of the grade (优/良/中/差)."""
    facts = Facts(raw)
    centre = facts.choice("centre_type", CENTRE_TYPES)
    grade_raw = facts.text("grade")
    grade = CENTRE_GRADE_ALIASES.get(grade_raw, grade_raw)
    if grade not in CENTRE_GRADES:
        raise _invalid("grade", "优、良、中、差（或 excellent、good、fair、poor）之一")
    pct = dec(params["percent_by_grade"][grade])
    cap = dec(params["cap_by_centre_type"][centre])
    reasons = [
        _check(
            "grade",
            CENTRE_GRADES[grade],
            "补助比例 > 0",
            pct > 0,
            f"考核等级 {CENTRE_GRADES[grade]}，按上限的 {show(pct)}% 补助",
            f"考核等级 {CENTRE_GRADES[grade]}，补助比例为 0",
        ),
        _sanction(facts),
    ]
    line = Line(
        "operation",
        f"{CENTRE_TYPES[centre]}运营补贴（上限 {show(cap)}）",
        f"{show(pct)}%",
        show(cap),
        money(cap * pct / HUNDRED),
    )
    return _finish(params, reasons, [line])


def _band(bands: list[dict[str, Any]], age: int) -> dict[str, Any] | None:
    for band in bands:
        if age >= band["min_age"] and (band["max_age"] is None or age <= band["max_age"]):
            return band
    return None


def age_band(params: Mapping[str, Any], raw: Any) -> Result:
    """高龄津贴: a monthly amount by county and age band (standards.md §5.1)."""
    facts = Facts(raw)
    county = facts.text("county")
    age = facts.count("age")
    months = _months(facts)
    table = params["per_month_by_county"]
    if county not in table:
        raise _invalid("county", "昆明市县级区划代码（6位）之一：" + "、".join(sorted(table)))
    bands = params["bands"]
    band = _band(bands, age)
    lowest = min(b["min_age"] for b in bands)
    reasons = [
        _check(
            "age",
            f"{age}周岁",
            f"≥ {lowest}周岁",
            band is not None,
            f"年龄 {age} 周岁，属 {band['key']} 档" if band else "",
            f"年龄 {age} 周岁 < {lowest} 周岁",
        )
    ]
    lines = []
    if band:
        rate = dec(table[county][band["key"]])
        lines.append(_line(f"band_{band['key']}", f"高龄津贴（{band['key']}周岁，{county}）", months, rate, "月"))
    return _finish(params, reasons, lines)


def _economic(facts: Facts) -> Condition:
    difficult = facts.flag("economically_difficult")
    return _check(
        "economically_difficult",
        "是" if difficult else "否",
        "是",
        difficult,
        "经济困难（特困、低保或低保边缘）",
        "不属于经济困难老年人",
    )


def _unverified(params: Mapping[str, Any], names: list[str]) -> list[str]:
    return [f"参数 {n} 为未核实的占位值，不是官方标准，发放前须按正式文件设定" for n in names]


def flat_monthly(params: Mapping[str, Any], raw: Any) -> Result:
    """经济困难老年人养老服务补贴: a flat monthly amount (placeholder parameter until the official figure is set)."""
    facts = Facts(raw)
    age = facts.count("age")
    months = _months(facts)
    reasons = [_at_least("age", "年龄", Decimal(age), Decimal(params["min_age"]), "周岁"), _economic(facts)]
    lines = [_line("per_month", "养老服务补贴", months, dec(params["per_month"]), "月")]
    return _finish(params, reasons, lines, _unverified(params, ["per_month"]))


def by_capability_level(params: Mapping[str, Any], raw: Any) -> Result:
    """失能老年人护理补贴: a monthly amount by capability level (placeholder parameters until officially set)."""
    facts = Facts(raw)
    age = facts.count("age")
    level = facts.choice("capability_level", CAPABILITY_LEVELS)
    months = _months(facts)
    rates = params["per_month_by_level"]
    reasons = [_at_least("age", "年龄", Decimal(age), Decimal(params["min_age"]), "周岁")]
    reasons.append(
        _check(
            "capability_level",
            LEVEL_NAMES[level],
            "、".join(LEVEL_NAMES[k] for k in rates),
            level in rates,
            f"能力等级 {LEVEL_NAMES[level]}",
            f"能力等级 {LEVEL_NAMES[level]} 不在补贴范围",
        )
    )
    if params.get("require_economic_difficulty"):
        reasons.append(_economic(facts))
    lines = (
        [_line(f"level_{level}", f"护理补贴（{LEVEL_NAMES[level]}）", months, dec(rates[level]), "月")]
        if level in rates
        else []
    )
    return _finish(params, reasons, lines, _unverified(params, ["per_month_by_level"]))


SHAPES: dict[str, Callable[[Mapping[str, Any], Any], Result]] = {
    "bed_construction": bed_construction,
    "operating": operating,
    "caregiver_post": caregiver_post,
    "graduate_once": graduate_once,
    "centre_construction": centre_construction,
    "centre_operation": centre_operation,
    "age_band": age_band,
    "flat_monthly": flat_monthly,
    "by_capability_level": by_capability_level,
}


def parameter_values(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """``{name: {"value": …, "source": …}}`` as stored → ``{name: value}`` for the rule functions."""
    return {
        name: spec["value"] if isinstance(spec, Mapping) and "value" in spec else spec
        for name, spec in parameters.items()
    }


def calculate(shape: str, parameters: Mapping[str, Any], facts: Any) -> Result:
    """Run the rule shape with a version's stored parameters on one beneficiary's facts."""
    try:
        function = SHAPES[shape]
    except KeyError as exc:
        raise QuoteError("programme_unknown", f"未知的补贴计算规则：{shape}") from exc
    return function(parameter_values(parameters), facts)
