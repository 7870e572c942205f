"""Page forms: they parse the request into the shapes the services take; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.elders.choices import CapabilityLevel, Category, ErrorCode, Relation
from chuncheng.elders.models import Elder, ElderContact


class _Bootstrap:
    """Bootstrap classes on every widget (no inline style: the CSP allows none)."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class ElderForm(_Bootstrap, forms.Form):
    """Register an elder, or (with ``elder``) edit one: then blank ID and phone fields keep the stored values."""

    id_number = forms.CharField(label=_("ID number"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=50)
    org_unit = forms.CharField(
        label=_("Community code"), max_length=12, help_text=_("Village or community level (12 digits) preferred.")
    )
    hukou_local = forms.BooleanField(label=_("local household registration"), required=False, initial=True)
    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    capability_level = forms.ChoiceField(
        label=_("capability level"), choices=[("", "—"), *CapabilityLevel.choices], required=False
    )
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    lat = forms.DecimalField(
        label=_("latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    lng = forms.DecimalField(
        label=_("longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )
    allow_under_60 = forms.BooleanField(label=_("Register although under 60"), required=False)

    def __init__(self, *args, elder: Elder | None = None, **kwargs):
        self.elder = elder
        if elder is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": elder.name,
                    "org_unit": elder.org_unit.code,
                    "hukou_local": elder.hukou_local,
                    "categories": elder.categories,
                    "capability_level": elder.capability_level,
                    "address": elder.address,
                    "lat": elder.lat,
                    "lng": elder.lng,
                },
            )
        super().__init__(*args, **kwargs)
        if elder is not None:
            id_field = self.fields["id_number"]
            id_field.required = False
            id_field.label = _("Corrected ID number")
            id_field.help_text = _("Leave blank to keep %(masked)s.") % {"masked": elder.id_number_masked}
            self.fields["phone"].label = _("New phone")
            self.fields["phone"].help_text = _("Leave blank to keep %(masked)s.") % {
                "masked": elder.phone_masked or "—"
            }
            self.fields["clear_phone"] = forms.BooleanField(label=_("Remove the phone number"), required=False)
            self.fields["allow_under_60"].label = _("Allow a corrected ID number of someone under 60")
        self._style()

    def clean_org_unit(self) -> OrgUnit:
        code = self.cleaned_data["org_unit"].strip()
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No org unit has this code."), code=ErrorCode.UNKNOWN_ORG_UNIT)
        return unit

    def service_data(self) -> dict[str, Any]:
        """What to pass to the service: everything when registering, only what changed when editing."""
        data = dict(self.cleaned_data)
        if self.elder is None:
            return data
        changed = {k: data[k] for k in self.changed_data if k in data}
        changed.pop("id_number", None)
        changed.pop("phone", None)
        changed.pop("clear_phone", None)
        changed.pop("allow_under_60", None)
        if data.get("id_number"):
            changed["id_number"] = data["id_number"]
        if data.get("clear_phone"):
            changed["phone"] = ""
        elif data.get("phone"):
            changed["phone"] = data["phone"]
        return changed


class DateForm(_Bootstrap, forms.Form):
    """The date of a death or of moving away."""

    day = forms.DateField(label=_("Date"), widget=_date_input())

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["day"].label = label
        self._style()


class ContactForm(_Bootstrap, forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    relation = forms.ChoiceField(label=_("relation"), choices=Relation.choices)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    is_guardian = forms.BooleanField(label=_("guardian"), required=False)

    def __init__(self, *args, contact: ElderContact | None = None, **kwargs):
        self.contact = contact
        if contact is not None:
            kwargs.setdefault(
                "initial", {"name": contact.name, "relation": contact.relation, "is_guardian": contact.is_guardian}
            )
        super().__init__(*args, **kwargs)
        if contact is not None:
            self.fields["phone"].label = _("New phone")
            self.fields["phone"].help_text = _("Leave blank to keep %(masked)s.") % {
                "masked": contact.phone_masked or "—"
            }
            self.fields["clear_phone"] = forms.BooleanField(label=_("Remove the phone number"), required=False)
        self._style()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.contact is None:
            return data
        changed = {k: data[k] for k in self.changed_data if k in ("name", "relation", "is_guardian")}
        if data.get("clear_phone"):
            changed["phone"] = ""
        elif data.get("phone"):
            changed["phone"] = data["phone"]
        return changed


class RevealForm(_Bootstrap, forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"), max_length=200, help_text=_("Why you need the full ID number (written to the access log).")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["purpose"].widget
        widget.attrs.update({"placeholder": _("Purpose"), "aria-label": _("Purpose")})
        self._style()


class IdSearchForm(_Bootstrap, forms.Form):
    """Search by full ID number: posted, so the number never appears in a URL, a log line or the browser history."""

    id_number = forms.CharField(label=_("ID number"), max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "placeholder": _("Full ID number"), "aria-label": _("ID number")}
        )
        self._style()
