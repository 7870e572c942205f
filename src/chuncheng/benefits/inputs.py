"""The input keys of the programmes paid on an application, as form fields (docs/benefits.md "Input keys"), so an
applicant fills a form rather than a JSON object. The rule functions (``rules.py``) remain the judges of the values:
the form only types them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.benefits.choices import RuleShape
from chuncheng.benefits.rules import CENTRE_GRADES, CENTRE_TYPES
from chuncheng.institutions.choices import InstitutionKind


@dataclass(frozen=True)
class InputKey:
    key: str
    label: Any
    kind: str  # "choice" | "number" | "count" | "flag"
    options: tuple[tuple[str, Any], ...] = ()
    required: bool = True


INPUTS: dict[str, list[InputKey]] = {
    RuleShape.BED_CONSTRUCTION: [
        InputKey("kind", _("institution kind"), "choice", tuple(InstitutionKind.choices)),
        InputKey("property", _("premises"), "choice", (("owned", _("Owned")), ("leased", _("Leased")))),
        InputKey("lease_years", _("lease years (when leased)"), "number", required=False),
        InputKey("approved_beds", _("approved beds"), "count"),
        InputKey("paid_beds", _("beds already subsidised"), "count", required=False),
        InputKey("occupancy", _("occupancy (%)"), "number"),
        InputKey("nursing_type", _("nursing-type institution"), "flag"),
        InputKey(
            "nursing_occupancy", _("occupancy by elders needing care (%, nursing-type)"), "number", required=False
        ),
    ],
    RuleShape.CENTRE_CONSTRUCTION: [
        InputKey("area_m2", _("floor area (m²)"), "number"),
        InputKey("project", _("project"), "choice", (("new", _("New building")), ("renovation", _("Renovation")))),
    ],
    RuleShape.CENTRE_OPERATION: [
        InputKey("centre_type", _("centre type"), "choice", tuple(CENTRE_TYPES.items())),
        InputKey("grade", _("rating grade"), "choice", tuple(CENTRE_GRADES.items())),
    ],
}


def _field(spec: InputKey) -> forms.Field:
    attrs = {"class": "form-select" if spec.kind == "choice" else "form-control"}
    if spec.kind == "choice":
        return forms.ChoiceField(
            label=spec.label, choices=spec.options, required=spec.required, widget=forms.Select(attrs=attrs)
        )
    if spec.kind == "count":
        return forms.IntegerField(
            label=spec.label, min_value=0, required=spec.required, widget=forms.NumberInput(attrs=attrs)
        )
    if spec.kind == "number":
        return forms.DecimalField(
            label=spec.label, min_value=Decimal(0), required=spec.required, widget=forms.NumberInput(attrs=attrs)
        )
    return forms.BooleanField(label=spec.label, required=False, widget=forms.CheckboxInput())


def facts_form(shape: str) -> type[forms.Form] | None:
    """A form with one field per input key of the shape and a note; None when the shape has no form (JSON then)."""
    specs = INPUTS.get(shape)
    if specs is None:
        return None
    fields: dict[str, Any] = {spec.key: _field(spec) for spec in specs}
    fields["note"] = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def collected_facts(self) -> dict[str, Any]:
        """The cleaned values as the rule expects them (blank optional keys left out)."""
        out: dict[str, Any] = {}
        for spec in specs:
            value = self.cleaned_data.get(spec.key)
            if value is None or value == "":
                continue
            out[spec.key] = float(value) if isinstance(value, Decimal) else value
        return out

    return type("FactsForm", (forms.Form,), {**fields, "collected_facts": collected_facts})


def initial(shape: str, facts: dict[str, Any], note: str = "") -> dict[str, Any]:
    keys = {spec.key for spec in INPUTS.get(shape, [])}
    return {**{k: v for k, v in facts.items() if k in keys}, "note": note}
