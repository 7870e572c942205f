"""Page forms. They check shapes; the rules run once, in the services (``full_clean`` and the registry's rules)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.institutions.choices import BedKind, DischargeReason
from chuncheng.institutions.models import Facility, Institution, Staff
from chuncheng.institutions.services import EDITABLE_FIELDS, FACILITY_FIELDS, OPERATOR_FIELDS, STAFF_FIELDS

DATE = {"type": "date"}


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
        if isinstance(field.widget, forms.Select):
            css = "form-select"
        field.widget.attrs.setdefault("class", css)


class OrgUnitCodeMixin:
    """The org unit is typed as its code (a tree of 1,900 units is no drop-down)."""

    def clean_org_unit(self):
        code = self.cleaned_data["org_unit"].strip()
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No org unit has this code."), code="unknown_org_unit")
        return unit

    def _post_clean(self):
        # Model validation runs in the service (one place), with the area check first.
        pass

    def changed_data_dict(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class InstitutionForm(OrgUnitCodeMixin, forms.ModelForm):
    org_unit = forms.CharField(label=_("Org unit code"), max_length=12)
    government_operated = forms.TypedChoiceField(
        label=_("government-operated"),
        choices=[("", _("By kind (public kinds: yes)")), ("1", _("yes")), ("0", _("no"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Institution
        fields = list(EDITABLE_FIELDS)
        widgets = {"filed_on": forms.DateInput(attrs=DATE), "opened_on": forms.DateInput(attrs=DATE)}

    def __init__(self, *args, operator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["org_unit"] = self.instance.org_unit.code
        for name in ("safety_net_beds", "puhui_beds", "lease_years"):
            if name in self.fields:
                self.fields[name].required = False
        if operator:
            for name in list(self.fields):
                if name not in OPERATOR_FIELDS:
                    del self.fields[name]
        _style(self)

    def clean(self):
        data = super().clean()
        for name in ("safety_net_beds", "puhui_beds"):
            if name in data and data[name] is None:
                data[name] = 0
        return data


class FacilityForm(OrgUnitCodeMixin, forms.ModelForm):
    org_unit = forms.CharField(label=_("Org unit code"), max_length=12)

    class Meta:
        model = Facility
        fields = list(FACILITY_FIELDS)
        widgets = {"opened_on": forms.DateInput(attrs=DATE)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["org_unit"] = self.instance.org_unit.code
        self.fields["beds"].required = False
        _style(self)

    def clean_beds(self):
        return self.cleaned_data.get("beds") or 0


class AdmitForm(forms.Form):
    """The elder is named by the full ID number, posted (never in a URL) and looked up by its blind index."""

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bed_kind = forms.ChoiceField(label=_("bed kind"), choices=BedKind.choices, initial=BedKind.GENERAL)
    admitted_on = forms.DateField(label=_("admission date"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admitted_on"].initial = timezone.localdate()
        _style(self)


class DischargeForm(forms.Form):
    discharged_on = forms.DateField(label=_("discharge date"), widget=forms.DateInput(attrs=DATE))
    reason = forms.ChoiceField(
        label=_("discharge reason"),
        choices=[(k, v) for k, v in DischargeReason.choices if k != DischargeReason.TRANSFERRED],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discharged_on"].initial = timezone.localdate()
        _style(self)


class TransferForm(forms.Form):
    to_institution = forms.ModelChoiceField(
        label=_("Receiving institution"), queryset=Institution.objects.none(), to_field_name="public_id"
    )
    on = forms.DateField(label=_("Transfer date"), widget=forms.DateInput(attrs=DATE))
    bed_kind = forms.ChoiceField(label=_("bed kind"), choices=[("", _("As before")), *BedKind.choices], required=False)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["to_institution"].queryset = institutions
        self.fields["on"].initial = timezone.localdate()
        _style(self)


class StaffForm(forms.ModelForm):
    """Hire (with the ID number) or correct a staff member's details (the ID number is fixed once recorded)."""

    id_number = forms.CharField(
        label=_("ID number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    class Meta:
        model = Staff
        fields = [f for f in STAFF_FIELDS if f != "left_on"]
        widgets = {
            "contract_start": forms.DateInput(attrs=DATE),
            "contract_end": forms.DateInput(attrs=DATE),
            "hired_on": forms.DateInput(attrs=DATE),
        }

    field_order = ["id_number", *STAFF_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["id_number"]
        _style(self)

    def _post_clean(self):
        pass

    def changed_data_dict(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("leave date"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_on"].initial = timezone.localdate()
        _style(self)
