"""Page forms for registering agencies and assessors. They check shapes and offer only choices of the user's area;
the rules run once, in ``services`` (``register_agency`` / ``register_assessor``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.assessment import queries
from chuncheng.assessment.choices import Qualification
from chuncheng.core.roles import Action


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    org_unit = forms.ModelChoiceField(label=_("registered in"), queryset=None, to_field_name="code")
    counties = forms.ModelMultipleChoiceField(
        label=_("counties served"),
        queryset=None,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = queries.area_counties(user)
        self.fields["counties"].queryset = queries.all_counties()
        _style(self)


class AssessorForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("agency"), queryset=None, to_field_name="public_id")
    name = forms.CharField(label=_("name"), max_length=50)
    qualification = forms.ChoiceField(label=_("qualification"), choices=Qualification.choices)
    certificate_no = forms.CharField(label=_("certificate number"), max_length=50)
    user = forms.ModelChoiceField(
        label=_("account"),
        queryset=None,
        to_field_name="public_id",
        required=False,
        help_text=_("An account with the assessor role, if the assessor fills forms on the platform."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = queries.agency_list(user, Action.ADD).filter(active=True).order_by("name")
        self.fields["user"].queryset = queries.free_assessor_accounts(user)
        _style(self)
