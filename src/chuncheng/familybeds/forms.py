from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.familybeds import rules
from chuncheng.homecare.choices import ServiceKind


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")


class BedForm(_Styled):
    """Set up a bed; the plan fields default to the policy's default plan (0 = the service is not planned)."""

    elder = forms.UUIDField(label=_("elder (ID)"))
    institution = forms.UUIDField(label=_("contracted institution (ID)"), required=False)
    provider = forms.UUIDField(label=_("contracted provider (ID)"), required=False)
    start_date = forms.DateField(label=_("start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("end date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = {entry["kind"]: entry["visits_per_month"] for entry in rules.default_plan()}
        for kind, label in ServiceKind.choices:
            self.fields[f"plan_{kind}"] = forms.IntegerField(
                label=label, min_value=0, max_value=31, initial=defaults.get(kind, 0), required=False
            )
            self.fields[f"plan_{kind}"].widget.attrs["class"] = "form-control form-control-sm"

    def plan(self) -> list[dict]:
        return [
            {"kind": kind, "visits_per_month": self.cleaned_data[f"plan_{kind}"]}
            for kind in ServiceKind.values
            if self.cleaned_data.get(f"plan_{kind}")
        ]


class AdaptationForm(_Styled):
    items = forms.MultipleChoiceField(label=_("items"), widget=forms.CheckboxSelectMultiple, choices=())
    cost = forms.DecimalField(label=_("cost"), min_value=0, max_digits=10, decimal_places=2)
    subsidy = forms.DecimalField(label=_("subsidy"), min_value=0, max_digits=10, decimal_places=2)
    completed_on = forms.DateField(
        label=_("completion date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = list(rules.adaptation_items().items())
