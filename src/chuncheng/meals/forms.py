"""Forms of the meal pages; the services validate again (``full_clean``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.meals.choices import InspectionResult, MealSlot, Review


class TabletForm(forms.Form):
    elder = forms.UUIDField(widget=forms.HiddenInput)
    slot = forms.ChoiceField(label=_("meal slot"), choices=MealSlot.choices)
    served_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    price = forms.DecimalField(label=_("price"), min_value=0, max_digits=12, decimal_places=2)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[(Review.ACCEPTED, _("Accept")), (Review.REJECTED, _("Reject"))])
    note = forms.CharField(max_length=300, required=False)


class SettleForm(forms.Form):
    month = forms.CharField(label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))


class CheckForm(forms.Form):
    site = forms.ChoiceField(label=_("meal site"))
    checked_on = forms.DateField(label=_("inspection date"), widget=forms.DateInput(attrs={"type": "date"}))
    inspector = forms.CharField(label=_("inspector"), max_length=50)
    result = forms.ChoiceField(label=_("result"), choices=InspectionResult.choices)
    issues = forms.CharField(label=_("issues found"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label=_("photo"), required=False)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.code, f"{s.code} {s.name}") for s in sites]


class CardForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    number = forms.CharField(label=_("card number"), max_length=40)
