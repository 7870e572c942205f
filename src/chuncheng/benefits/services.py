"""Quotes and eligibility: pick the policy version in force, build a beneficiary's facts from the registry, and call
the pure rule (``rules.py``). Nothing here writes; the only write of the module is the policy loader (``policy.py``).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count, Q

from chuncheng.benefits import rules, sanctions
from chuncheng.benefits.choices import BeneficiaryKind
from chuncheng.benefits.models import Programme
from chuncheng.benefits.policy import get_programme, version_in_force
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.elders.models import Elder
from chuncheng.institutions.choices import BedKind
from chuncheng.institutions.models import Admission, Institution, Staff

# An open-ended labour contract (无固定期限) satisfies any minimum term; it is passed to the rule as this many years.
OPEN_ENDED_CONTRACT_YEARS = Decimal(99)


def _version_dict(version) -> dict[str, Any]:
    return {
        "label": version.label,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "area": version.area,
        "source": version.source,
    }


def quote_with(programme: Programme, facts: Any, on: date) -> dict[str, Any]:
    """The JSON a quote prints (CLI and API): eligible, amount, breakdown, reasons, policy_version, fund shares."""
    county = facts.get("county", "") if isinstance(facts, dict) else ""
    version = version_in_force(programme, on, county if isinstance(county, str) else "")
    result = rules.calculate(programme.shape, version.parameters, facts)
    return {
        "programme": programme.code,
        "programme_name": programme.name,
        "date": on.isoformat(),
        "policy_version": _version_dict(version),
        **result.as_dict(),
    }


def quote(code: str, facts: Any, on: date) -> dict[str, Any]:
    programme = get_programme(code)
    return quote_with(programme, facts, on)


# ---------------------------------------------------------------------------------------------------------------
# Facts from the registry


def _months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return max(months, 0)


def _years_between(start: date, end: date) -> Decimal:
    return max(Decimal((end - start).days) / Decimal("365.25"), Decimal(0)).quantize(Decimal("0.01"), ROUND_DOWN)


def _percent(part: int, whole: int) -> Decimal:
    return Decimal(part) * 100 / Decimal(whole) if whole else Decimal(0)


def institution_facts(institution: Institution, on: date) -> tuple[dict[str, Any], list[str]]:
    """B1/B2 facts of an institution on a date: occupancy and nursing occupancy from the stays open that day."""
    stays = Admission.objects.filter(institution=institution, admitted_on__lte=on).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gt=on)
    )
    counts = stays.aggregate(residents=Count("pk"), nursing=Count("pk", filter=Q(bed_kind=BedKind.NURSING)))
    by_level = dict(stays.values_list("elder__capability_level").annotate(n=Count("pk")).order_by())
    sanctioned, note = sanctions.is_sanctioned(institution, on)
    notes = ["已补助床位尚无台账，按 0 张计（paid_beds = 0）"]
    if note:
        notes.append(note)
    unassessed = by_level.pop("", 0) + by_level.pop(None, 0)
    if unassessed:
        notes.append(f"{unassessed} 名在住老人无能力等级，未计入按等级的运营补贴")
    facts = {
        "kind": institution.kind,
        "county": institution.org_unit.code[:6],
        "property": institution.property or "owned",
        "lease_years": institution.lease_years or 0,
        "approved_beds": institution.approved_beds,
        "paid_beds": 0,
        "occupancy": _percent(counts["residents"], institution.approved_beds),
        "nursing_type": institution.is_nursing_type,
        "nursing_occupancy": _percent(counts["nursing"], institution.nursing_beds),
        "residents": counts["residents"],
        "residents_by_level": by_level,
        "months_in_use": _months_between(institution.opened_on, on) if institution.opened_on else 0,
        "months": 12,
        "sanctioned": sanctioned,
        "sanction_note": note if sanctioned else "",
    }
    if not institution.property:
        notes.append("未登记产权性质，按自建产权计")
    return facts, notes


def staff_facts(staff: Staff, on: date) -> tuple[dict[str, Any], list[str]]:
    """B3/B4 facts of a staff member on a date (the registry records no graduation, so B4 shows it as not met)."""
    notes = ["人员登记中无高校毕业信息（graduate = false）"]
    if staff.institution_id:
        employer_kind = staff.institution.kind
    else:
        employer_kind = f"facility_{staff.facility.operator}" if staff.facility_id else ""
    if staff.contract_start and staff.contract_end:
        contract_years = _years_between(staff.contract_start, staff.contract_end)
    elif staff.contract_start:
        contract_years = OPEN_ENDED_CONTRACT_YEARS
        notes.append("无固定期限劳动合同，按满足合同期限计")
    else:
        contract_years = Decimal(0)
    facts = {
        "employer_kind": employer_kind,
        "county": staff.org_unit.code[:6],
        "certificate_grade": staff.skill_grade if staff.certificate_no else "",
        "contract_years": contract_years,
        "social_insurance": staff.social_insurance,
        "trained": staff.trained,
        "years_in_post": _years_between(staff.hired_on, on) if staff.hired_on else Decimal(0),
        "months": 1,
        "graduate": False,
        "employer_is_eldercare": bool(staff.institution_id or staff.facility_id),
    }
    return facts, notes


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def elder_facts(elder: Elder, on: date) -> tuple[dict[str, Any], list[str]]:
    facts = {
        "county": elder.org_unit.code[:6],
        "age": max(_age(elder.birth_date, on), 0),
        "economically_difficult": bool(elder.tekun or elder.dibao or elder.dibao_edge),
        "capability_level": elder.capability_level,
        "months": 1,
    }
    notes = [] if elder.capability_level else ["尚无能力评估等级"]
    return facts, notes


BENEFICIARIES = {
    BeneficiaryKind.INSTITUTION: (Institution, ("org_unit",), institution_facts),
    BeneficiaryKind.STAFF: (Staff, ("org_unit", "institution", "facility"), staff_facts),
    BeneficiaryKind.ELDER: (Elder, ("org_unit",), elder_facts),
}


def beneficiary_for(user, kind: str, public_id) -> Any:
    """The beneficiary through the user's scope (another area: 404)."""
    from django.http import Http404

    if kind not in BENEFICIARIES:
        raise Http404
    model, related, _facts = BENEFICIARIES[kind]
    return get_for_user(model.objects.select_related(*related), user, Action.VIEW, public_id=public_id)


def eligibility(beneficiary: Any, kind: str, on: date, programme_code: str | None = None) -> list[dict[str, Any]]:
    """For each programme of the beneficiary's kind (or the one asked): the quote on its registry facts, or the refusal
    (no version in force, a fact the registry lacks) as ``{"programme", "error": {code, message}}``."""
    _model, _related, build = BENEFICIARIES[kind]
    facts, notes = build(beneficiary, on)
    programmes = Programme.objects.filter(beneficiary=kind).prefetch_related("versions")
    if programme_code:
        programmes = programmes.filter(code=programme_code)
        if not programmes:
            get_programme(programme_code)  # raises programme_unknown
            raise rules.QuoteError("programme_unknown", f"补贴项目 {programme_code} 不适用于此类对象")
    out = []
    for programme in programmes:
        entry: dict[str, Any] = {"programme": programme.code, "programme_name": programme.name, "notes": notes}
        try:
            entry.update(quote_with(programme, facts, on))
        except rules.QuoteError as exc:
            entry["error"] = exc.as_dict()
        entry["facts"] = {k: (rules.show_seen(v) if isinstance(v, Decimal) else v) for k, v in facts.items()}
        out.append(entry)
    return out
