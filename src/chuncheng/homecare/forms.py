from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.homecare.choices import ServiceKind


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")


class OrderForm(_Styled):
    elder = forms.UUIDField(label=_("elder (ID)"))
    provider = forms.UUIDField(label=_("provider (ID)"))
    kind = forms.ChoiceField(label=_("service kind"), choices=ServiceKind.choices)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=20, initial=1)
    scheduled_on = forms.DateField(label=_("scheduled for"), widget=forms.DateInput(attrs={"type": "date"}))
    window_start = forms.TimeField(
        label=_("scheduled start"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    window_end = forms.TimeField(
        label=_("scheduled end"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class ProviderForm(_Styled):
    name = forms.CharField(label=_("name"), max_length=100)
    uscc = forms.CharField(label=_("unified social credit code"), max_length=18)
    org_unit = forms.CharField(label=_("registered in (org-unit code)"), max_length=12)
    areas = forms.CharField(label=_("areas served (codes, comma-separated)"), max_length=500)
    contact_name = forms.CharField(label=_("contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)
    qualifications = forms.CharField(
        label=_("qualifications"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
