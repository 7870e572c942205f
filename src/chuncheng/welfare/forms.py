from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.welfare.models import WelfareVisit


class VisitForm(forms.ModelForm):
    class Meta:
        model = WelfareVisit
        fields = ["visited_on", "visitor_name", "mode", "condition", "condition_note", "risks", "needs", "referrals"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}),
            "condition_note": forms.Textarea(attrs={"rows": 2}),
            "risks": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 2}),
            "referrals": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitor_name"].required = False
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")


class CloseTaskForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), max_length=2000)


class DraftListForm(forms.Form):
    county = forms.CharField(label=_("county code (empty: city default)"), max_length=6, required=False)
    effective_from = forms.DateField(label=_("effective from"), widget=forms.DateInput(attrs={"type": "date"}))
