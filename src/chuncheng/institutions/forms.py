from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.institutions.models import Institution
from chuncheng.institutions.services import EDITABLE_FIELDS, OPERATOR_FIELDS


class InstitutionForm(forms.ModelForm):
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
        widgets = {
            "filed_on": forms.DateInput(attrs={"type": "date"}),
            "opened_on": forms.DateInput(attrs={"type": "date"}),
        }

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
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean_org_unit(self):
        code = self.cleaned_data["org_unit"].strip()
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No org unit has this code."), code="unknown_org_unit")
        return unit

    def clean(self):
        data = super().clean()
        for name in ("safety_net_beds", "puhui_beds"):
            if name in data and data[name] is None:
                data[name] = 0
        return data

    def _post_clean(self):
        # Model validation runs in the service (one place), with the area check first.
        pass

    def changed_data_dict(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}
