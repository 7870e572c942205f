"""The condition language of welfare rules and list items, small enough to compile to one SQL WHERE.

A condition is JSON:
- ``{"all": [c, …]}`` (true when empty), ``{"any": [c, …]}`` (false when empty), ``{"not": c}``;
- ``{"field": NAME, "eq": VALUE}`` over an Elder column in ``FIELDS`` (the category booleans, ``hukou_local``,
  ``sex``, ``capability_level``);
- ``{"age_gte": N}`` (周岁 on the evaluation day), ``{"capability_in": [LEVEL, …]}``;
- ``{"special_difficulty": true|false}``: the elder has (or has not) at least one special-difficulty flag;
- ``{"ref": NAME}`` is expanded by the policy loader from the pack's named conditions, never stored.

``compile_q`` gives a ``Q`` over Elder (one WHERE per rule, so one statement recomputes every elder); ``explain``
evaluates the same condition in Python against one elder and returns each leaf with the value seen and pass/fail.
Tests hold the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from chuncheng.elders.choices import CapabilityLevel, Category, Sex
from chuncheng.elders.queries import age, latest_birth_date
from chuncheng.welfare.choices import ErrorCode

FIELDS: dict[str, type | tuple[str, ...]] = {
    **{c: bool for c in Category.values},
    "hukou_local": bool,
    "sex": tuple(Sex.values),
    "capability_level": (*CapabilityLevel.values, ""),
}
OPERATORS = {"all", "any", "not", "field", "age_gte", "capability_in", "special_difficulty"}


def _bad(message: str) -> ValidationError:
    return ValidationError(message, code=ErrorCode.BAD_CONDITION)


def validate(cond: Any) -> None:
    """Refuse anything outside the language (unknown operator, field or value) before it reaches a query."""
    if not isinstance(cond, dict) or len(cond.keys() - {"eq"}) != 1:
        raise _bad(_("A condition is an object with exactly one operator: %(c)s") % {"c": cond})
    (op,) = cond.keys() - {"eq"}
    if op not in OPERATORS:
        raise _bad(_("Unknown operator: %(op)s") % {"op": op})
    if op in {"all", "any"}:
        if not isinstance(cond[op], list):
            raise _bad(_("%(op)s takes a list.") % {"op": op})
        for sub in cond[op]:
            validate(sub)
    elif op == "not":
        validate(cond["not"])
    elif op == "field":
        kind = FIELDS.get(cond["field"])
        value = cond.get("eq")
        if kind is None:
            raise _bad(_("Unknown field: %(f)s") % {"f": cond["field"]})
        if (kind is bool and not isinstance(value, bool)) or (isinstance(kind, tuple) and value not in kind):
            raise _bad(_("Bad value for %(f)s: %(v)s") % {"f": cond["field"], "v": value})
    elif op == "age_gte":
        if not isinstance(cond[op], int) or isinstance(cond[op], bool) or not 0 <= cond[op] <= 150:
            raise _bad(_("age_gte takes a whole number of years."))
    elif op == "capability_in":
        if not isinstance(cond[op], list) or not set(cond[op]) <= set(CapabilityLevel.values):
            raise _bad(_("capability_in takes a list of capability levels."))
    elif op == "special_difficulty" and not isinstance(cond[op], bool):
        raise _bad(_("special_difficulty takes true or false."))
    if "eq" in cond and op != "field":
        raise _bad(_("eq belongs to a field condition."))


def expand(cond: Any, named: dict[str, Any]) -> Any:
    """Replace ``{"ref": NAME}`` by the pack's named condition (recursively)."""
    if isinstance(cond, dict):
        if set(cond) == {"ref"}:
            if cond["ref"] not in named:
                raise _bad(_("Unknown named condition: %(n)s") % {"n": cond["ref"]})
            return expand(named[cond["ref"]], named)
        return {k: expand(v, named) for k, v in cond.items()}
    if isinstance(cond, list):
        return [expand(c, named) for c in cond]
    return cond


def compile_q(cond: dict[str, Any], day: date) -> Q:
    """The condition as a ``Q`` over Elder, ages judged on ``day``."""
    from chuncheng.welfare.models import SpecialDifficultyFlag

    if "all" in cond:
        q = Q()
        for sub in cond["all"]:
            q &= compile_q(sub, day)
        return q
    if "any" in cond:
        if not cond["any"]:
            return Q(pk__in=[])
        q = compile_q(cond["any"][0], day)
        for sub in cond["any"][1:]:
            q |= compile_q(sub, day)
        return q
    if "not" in cond:
        return ~compile_q(cond["not"], day)
    if "field" in cond:
        return Q(**{cond["field"]: cond["eq"]})
    if "age_gte" in cond:
        return Q(birth_date__lte=latest_birth_date(cond["age_gte"], day))
    if "capability_in" in cond:
        return Q(capability_level__in=cond["capability_in"])
    if "special_difficulty" in cond:
        flagged = Exists(SpecialDifficultyFlag.objects.filter(elder_id=OuterRef("pk")))
        return Q(flagged) if cond["special_difficulty"] else ~Q(flagged)
    raise _bad(_("Unknown operator in %(c)s") % {"c": cond})


@dataclass(frozen=True)
class Check:
    """One leaf of a condition for one elder: what was asked, what was seen, whether it passed."""

    label: str
    expected: str
    seen: str
    passed: bool
    depth: int = 0


def _field_label(name: str) -> str:
    if name in Category.values:
        return str(Category(name).label)
    return {
        "hukou_local": _("local household registration"),
        "sex": _("sex"),
        "capability_level": _("capability level"),
    }[name]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in CapabilityLevel.values:
        return str(CapabilityLevel(value).label)
    if value in Sex.values:
        return str(Sex(value).label)
    return str(value) if value not in ("", None) else "—"


def explain(
    cond: dict[str, Any], elder, day: date, *, flagged: bool = False, depth: int = 0
) -> tuple[bool, list[Check]]:
    """Evaluate ``cond`` for one elder in Python: (result, the checks in order, groups included)."""
    if "all" in cond or "any" in cond:
        op = "all" if "all" in cond else "any"
        results, checks = [], []
        for sub in cond[op]:
            ok, sub_checks = explain(sub, elder, day, flagged=flagged, depth=depth + 1)
            results.append(ok)
            checks.extend(sub_checks)
        result = all(results) if op == "all" else any(results)
        if op == "all" and not cond["all"]:
            return True, [Check(_("Every elder"), "", "", True, depth)]
        label = _("All of") if op == "all" else _("Any of")
        return result, [Check(label, "", "", result, depth), *checks]
    if "not" in cond:
        ok, sub_checks = explain(cond["not"], elder, day, flagged=flagged, depth=depth + 1)
        return not ok, [Check(_("None of"), "", "", not ok, depth), *sub_checks]
    if "field" in cond:
        seen = getattr(elder, cond["field"])
        ok = seen == cond["eq"]
        return ok, [Check(_field_label(cond["field"]), _show(cond["eq"]), _show(seen), ok, depth)]
    if "age_gte" in cond:
        years = age(elder.birth_date, day)
        ok = years >= cond["age_gte"]
        return ok, [Check(_("Age"), f"≥ {cond['age_gte']}", str(years), ok, depth)]
    if "capability_in" in cond:
        ok = elder.capability_level in cond["capability_in"]
        expected = " / ".join(_show(v) for v in cond["capability_in"])
        return ok, [Check(_("capability level"), expected, _show(elder.capability_level), ok, depth)]
    if "special_difficulty" in cond:
        ok = flagged == cond["special_difficulty"]
        return ok, [Check(_("Special-difficulty elder"), _show(cond["special_difficulty"]), _show(flagged), ok, depth)]
    raise _bad(_("Unknown operator in %(c)s") % {"c": cond})


def describe(cond: dict[str, Any]) -> str:
    """A one-line reading of a condition for list pages (Chinese labels)."""
    if "all" in cond:
        return " ∧ ".join(f"({describe(c)})" for c in cond["all"]) or str(_("Every elder"))
    if "any" in cond:
        return " ∨ ".join(describe(c) for c in cond["any"]) or "∅"
    if "not" in cond:
        return f"¬({describe(cond['not'])})"
    if "field" in cond:
        return f"{_field_label(cond['field'])} = {_show(cond['eq'])}"
    if "age_gte" in cond:
        return f"{_('Age')} ≥ {cond['age_gte']}"
    if "capability_in" in cond:
        return f"{_('capability level')} ∈ {{{' / '.join(_show(v) for v in cond['capability_in'])}}}"
    return f"{_('Special-difficulty elder')} = {_show(cond['special_difficulty'])}"
