"""The bulletin (通报, issue 7 item 8; docs/monitoring.md "Bulletin"): for the city (its counties ranked) or a county
(its townships ranked) and a month or a quarter — the area's own figures, the child areas ranked on every indicator,
which indicators are attained and which not against one target set (default in
policies/kunming/monitoring/reporting.json), and the changes since the period before.

Built from stored snapshots only, so a bulletin can be produced again later with the same figures: the figures of a
period are those of the latest snapshot date inside it (one date for every area, so the ranking is fair); the period
before likewise. Attainment is the current value against the target (``attainment.attainment`` with no history, as
the dashboard's ranking). Ranks are competition ranks (equal values share a rank: 1, 1, 3).

The bulletin is a Chinese official document: its fixed text is Chinese whatever the UI language (the page around
it is translated as usual). Exported as XLSX (openpyxl) and as a print-ready A4 page; no PDF (see the docs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core.errors import refusal
from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Level
from chuncheng.core.tabular import safe_cell
from chuncheng.monitoring import attainment as rule
from chuncheng.monitoring import periods, queries, reported
from chuncheng.monitoring.choices import Direction, TargetLevel
from chuncheng.monitoring.models import Indicator, IndicatorSnapshot, TargetSet

BULLETIN_LEVELS = (Level.CITY, Level.COUNTY)
ATTAINED = rule.ATTAINED
NOT_APPLICABLE = "not_applicable"
NOT_ATTAINED = (rule.ON_TRACK, rule.AT_RISK, rule.OFF_TRACK)
STATUS_ZH = {
    rule.ATTAINED: "已达标",
    rule.ON_TRACK: "进度正常",
    rule.AT_RISK: "有风险",
    rule.OFF_TRACK: "进度滞后",
    rule.NO_VALUE: "无数值",
    NOT_APPLICABLE: "不适用",
}
LEVEL_ZH = {Level.CITY: "县（市、区）", Level.COUNTY: "街道（乡镇）"}
TWO = Decimal("0.01")
WHOLE_UNITS = ("count", "persons", "established")


class ErrorCode:
    BAD_PERIOD = reported.ErrorCode.BAD_PERIOD
    FUTURE_PERIOD = reported.ErrorCode.FUTURE_PERIOD
    LEVEL = "monitoring_bulletin_level"
    UNKNOWN_SET = "monitoring_unknown_target_set"


def default_target_set() -> str:
    return reported.policy()["bulletin"]["default_target_set"]


# ---- the figures -----------------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One area's figure for one indicator: now, the period before, the change, rank and attainment."""

    unit: OrgUnit
    value: Decimal | None
    previous: Decimal | None
    status: str
    rank: int | None = None
    previous_rank: int | None = None
    decimals: int = 2

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, "—")

    @property
    def change_text(self) -> str:
        return _signed(self.change, self.decimals)

    @property
    def rank_change(self) -> int | None:
        """Places gained since the period before (positive: moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


@dataclass
class Block:
    """One indicator: the target of the chosen set, the area's own figure, the child areas ranked."""

    indicator: Indicator
    target_text: str
    own: Figure
    ranking: list[Figure]

    @property
    def decimals(self) -> int:
        """Counts of things and persons print as whole numbers, shares and rates with two decimals."""
        return 0 if self.indicator.unit in WHOLE_UNITS else 2

    def trend(self, figure: Figure) -> int:
        """+1 better, -1 worse, 0 unchanged or unknown, by the indicator's direction."""
        change = figure.change
        if not change:
            return 0
        better = change > 0 if self.indicator.direction == Direction.HIGHER else change < 0
        return 1 if better else -1


@dataclass
class AreaSummary:
    """A child area over every indicator: how many attained, not attained, without a value; better and worse."""

    unit: OrgUnit
    attained: int = 0
    not_attained: int = 0
    no_value: int = 0
    improved: int = 0
    worsened: int = 0
    rank: int | None = None


@dataclass
class Bulletin:
    unit: OrgUnit
    period: periods.Period
    target_set: TargetSet
    as_of: date | None
    previous_as_of: date | None
    generated_at: datetime
    blocks: list[Block] = field(default_factory=list)
    no_data: list[Indicator] = field(default_factory=list)
    own: AreaSummary | None = None
    areas: list[AreaSummary] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.unit.name}养老服务监测指标通报（{self.period.label_zh}）"

    @property
    def child_level_zh(self) -> str:
        return LEVEL_ZH.get(self.unit.level, "")


def competition_ranks(values: dict[Any, Decimal | None], direction: str) -> dict[Any, int | None]:
    """Rank keys by value, best first by direction; equal values share a rank (1, 1, 3); no value → None."""
    present = sorted((v for v in values.values() if v is not None), reverse=direction == Direction.HIGHER)
    first: dict[Decimal, int] = {}
    for i, v in enumerate(present, start=1):
        first.setdefault(v, i)
    return {k: (None if v is None else first[v]) for k, v in values.items()}


def _status(ind: Indicator, target, unit: OrgUnit, value: Decimal | None, as_of: date, rules) -> str:
    if target is None:
        return ""
    if ind.target_level == TargetLevel.CITY and unit.level != Level.CITY:
        return NOT_APPLICABLE
    status, _projected = rule.attainment(
        value, target.value, target.comparison, as_of, target.target_set.target_date, (), rule=rules
    )
    return status


def parse_period(text: str, today: date) -> periods.Period:
    try:
        period = periods.parse(text)
    except ValueError:
        period = None
    if period is None or period.kind not in reported.policy()["bulletin"]["periods"]:
        raise refusal(
            "period", ErrorCode.BAD_PERIOD, _("A bulletin is made for a month (2026-10) or a quarter (2026-Q3).")
        )
    if period.start > today:
        raise refusal("period", ErrorCode.FUTURE_PERIOD, _("This period has not begun yet."))
    return period


def bulletin_unit(user, code: str | None) -> OrgUnit:
    """The city or county ``code`` in the user's area (404 outside it): a city official makes the city's bulletin
    (and any county's), a county official their county's."""
    unit = queries.area_for(user, code)
    if unit.level not in BULLETIN_LEVELS:
        raise refusal("org", ErrorCode.LEVEL, _("A bulletin is made for the city or a county."))
    return unit


def _latest_date(units: list[OrgUnit], period: periods.Period, today: date) -> date | None:
    end = min(period.end, today)
    return IndicatorSnapshot.objects.filter(org_unit__in=units, date__range=(period.start, end)).aggregate(
        d=Max("date")
    )["d"]


def build(unit: OrgUnit, period_text: str, set_code: str | None = None, *, today: date | None = None) -> Bulletin:
    """The bulletin of ``unit`` (city or county) for a month or quarter against target set ``set_code``."""
    today = today or timezone.localdate()
    if unit.level not in BULLETIN_LEVELS:
        raise refusal("org", ErrorCode.LEVEL, _("A bulletin is made for the city or a county."))
    period = parse_period(period_text, today)
    day = min(period.end, today)
    catalogue = queries.services.current_catalogue(day)
    code = set_code or default_target_set()
    target_set = catalogue.target_sets.filter(code=code).first() if catalogue else None
    if target_set is None:
        raise refusal("set", ErrorCode.UNKNOWN_SET, _("There is no target set with this code."))
    rules = rule.rule_on(day)
    kids = list(queries.children(unit, day))
    units = [unit, *kids]
    as_of = _latest_date(units, period, today)
    previous_as_of = _latest_date(units, period.previous(), today)
    values: dict[tuple[str, int, date], Decimal | None] = {
        (key, unit_id, d): v
        for key, unit_id, d, v in IndicatorSnapshot.objects.filter(
            org_unit__in=units, date__in=[d for d in (as_of, previous_as_of) if d]
        ).values_list("indicator", "org_unit_id", "date", "value")
    }
    result = Bulletin(unit, period, target_set, as_of, previous_as_of, timezone.now())
    summaries = {k.pk: AreaSummary(k) for k in kids}
    result.own = AreaSummary(unit)
    for ind in queries.indicators(day):
        target = next((t for t in ind.targets.all() if t.target_set_id == target_set.pk), None)
        now = {u.pk: values.get((ind.key, u.pk, as_of)) for u in units}
        before = {u.pk: values.get((ind.key, u.pk, previous_as_of)) for u in units}
        if all(v is None for v in now.values()) and all(v is None for v in before.values()):
            result.no_data.append(ind)
            continue
        ranks = competition_ranks({k.pk: now[k.pk] for k in kids}, ind.direction)
        previous_ranks = competition_ranks({k.pk: before[k.pk] for k in kids}, ind.direction)
        own = Figure(unit, now[unit.pk], before[unit.pk], _status(ind, target, unit, now[unit.pk], day, rules))
        figures = [
            Figure(
                k,
                now[k.pk],
                before[k.pk],
                _status(ind, target, k, now[k.pk], day, rules),
                ranks[k.pk],
                previous_ranks[k.pk],
            )
            for k in kids
        ]
        figures.sort(key=lambda f: (f.rank is None, f.rank or 0, f.unit.code))
        block = Block(ind, target.text if target else "", own, figures)
        for figure in (own, *figures):
            figure.decimals = block.decimals
        result.blocks.append(block)
        for figure in [own, *figures]:
            summary = result.own if figure.unit.pk == unit.pk else summaries[figure.unit.pk]
            if figure.status == ATTAINED:
                summary.attained += 1
            elif figure.status in NOT_ATTAINED:
                summary.not_attained += 1
            elif figure.status == rule.NO_VALUE:
                summary.no_value += 1
            trend = block.trend(figure)
            summary.improved += int(trend > 0)
            summary.worsened += int(trend < 0)
    areas = list(summaries.values())
    ranks = competition_ranks({a.unit.pk: Decimal(a.attained) for a in areas}, Direction.HIGHER)
    for a in areas:
        a.rank = ranks[a.unit.pk]
    areas.sort(key=lambda a: (a.rank or 0, a.unit.code))
    result.areas = areas
    return result


# ---- output ----------------------------------------------------------------------------------------------------


def _two(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO, rounding=ROUND_HALF_UP)


def _signed(value: Decimal | None, decimals: int = 2) -> str:
    if value is None:
        return "—"
    v = value.quantize(TWO if decimals else Decimal(1), rounding=ROUND_HALF_UP)
    return f"+{v}" if v > 0 else f"{v}"


def as_dict(b: Bulletin) -> dict[str, Any]:
    def num(v):
        return None if v is None else float(_two(v))

    def fig(f: Figure) -> dict[str, Any]:
        return {
            "code": f.unit.code,
            "name": f.unit.name,
            "value": num(f.value),
            "previous": num(f.previous),
            "change": num(f.change),
            "rank": f.rank,
            "previous_rank": f.previous_rank,
            "attainment": f.status or None,
        }

    return {
        "title": b.title,
        "org": {"code": b.unit.code, "name": b.unit.name, "level": b.unit.level},
        "period": b.period.label,
        "period_start": b.period.start.isoformat(),
        "period_end": b.period.end.isoformat(),
        "as_of": b.as_of.isoformat() if b.as_of else None,
        "previous_as_of": b.previous_as_of.isoformat() if b.previous_as_of else None,
        "target_set": b.target_set.code,
        "summary": _summary_dict(b.own) if b.own else None,
        "areas": [{"code": a.unit.code, "name": a.unit.name, **_summary_dict(a)} for a in b.areas],
        "indicators": [
            {
                "key": blk.indicator.key,
                "name": blk.indicator.name_zh,
                "unit": blk.indicator.unit,
                "direction": blk.indicator.direction,
                "target": blk.target_text or None,
                "own": fig(blk.own),
                "ranking": [fig(f) for f in blk.ranking],
            }
            for blk in b.blocks
        ],
        "no_data": [i.key for i in b.no_data],
    }


def _summary_dict(a: AreaSummary) -> dict[str, Any]:
    return {
        "rank": a.rank,
        "attained": a.attained,
        "not_attained": a.not_attained,
        "no_value": a.no_value,
        "improved": a.improved,
        "worsened": a.worsened,
    }


def write_xlsx(b: Bulletin, fh: IO[bytes]) -> None:
    """Three sheets: 概况 (the area's own figures and counts), 各地达标排名 (child areas by indicators attained),
    分指标排名 (every indicator's ranking with changes)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    whole_rows: list[tuple[str, int]] = []  # (sheet, row) of indicators counted in whole numbers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "概况"
    ws.append([b.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["地区", b.unit.name, "区划代码", b.unit.code])
    ws.append(["通报期", b.period.label_zh, "目标值口径", f"{b.target_set.code} {b.target_set.name_zh}"])
    ws.append(
        [
            "本期数据日期",
            b.as_of.isoformat() if b.as_of else "无快照",
            "上期数据日期",
            b.previous_as_of.isoformat() if b.previous_as_of else "无快照",
        ]
    )
    own = b.own or AreaSummary(b.unit)
    ws.append(["已达标", own.attained, "未达标", own.not_attained, "无数值", own.no_value])
    ws.append(["较上期改善", own.improved, "较上期退步", own.worsened])
    ws.append([])
    header = ["指标", "单位", "本期值", "上期值", "变化", "目标值", "达标情况"]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for blk in b.blocks:
        if blk.decimals == 0:
            whole_rows.append((ws.title, ws.max_row + 1))
        ws.append(
            [
                safe_cell(blk.indicator.name_zh),
                str(blk.indicator.get_unit_display()),
                _two(blk.own.value),
                _two(blk.own.previous),
                _two(blk.own.change),
                safe_cell(blk.target_text or "—"),
                blk.own.status_zh,
            ]
        )
    if b.no_data:
        ws.append([])
        ws.append(["暂无数据的指标", "、".join(i.name_zh for i in b.no_data)])
    ws.column_dimensions["A"].width = 36
    for col in "BCDEFG":
        ws.column_dimensions[col].width = 14

    areas = wb.create_sheet("各地达标排名")
    areas.append(["名次", b.child_level_zh, "区划代码", "已达标", "未达标", "无数值", "较上期改善", "较上期退步"])
    for cell in areas[1]:
        cell.font = bold
    for a in b.areas:
        areas.append([a.rank, a.unit.name, a.unit.code, a.attained, a.not_attained, a.no_value, a.improved, a.worsened])
    areas.column_dimensions["B"].width = 20
    areas.freeze_panes = "A2"

    ranking = wb.create_sheet("分指标排名")
    ranking.append(["指标", "名次", "上期名次", b.child_level_zh, "区划代码", "本期值", "上期值", "变化", "达标情况"])
    for cell in ranking[1]:
        cell.font = bold
    for blk in b.blocks:
        for f in blk.ranking:
            if blk.decimals == 0:
                whole_rows.append((ranking.title, ranking.max_row + 1))
            ranking.append(
                [
                    safe_cell(blk.indicator.name_zh),
                    f.rank,
                    f.previous_rank,
                    f.unit.name,
                    f.unit.code,
                    _two(f.value),
                    _two(f.previous),
                    _two(f.change),
                    f.status_zh if f.status else "—",
                ]
            )
    ranking.column_dimensions["A"].width = 36
    ranking.column_dimensions["D"].width = 20
    ranking.freeze_panes = "A2"
    whole = set(whole_rows)
    for sheet in (ws, areas, ranking):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "0" if (sheet.title, cell.row) in whole else "0.00"
                    cell.alignment = Alignment(horizontal="right")
    wb.save(fh)


def refusal_message(exc: ValidationError) -> tuple[str, str]:
    """(code, message) of the first error of a refusal, for the pages and the CLI."""
    errors = [e for errs in exc.error_dict.values() for e in errs] if hasattr(exc, "error_dict") else exc.error_list
    return (errors[0].code or "invalid", " ".join(errors[0].messages))


def xlsx_name(b: Bulletin) -> str:
    return f"通报-{b.unit.code}-{b.period.label}.xlsx"
