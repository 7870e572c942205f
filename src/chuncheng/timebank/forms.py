from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.timebank.choices import Relation


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    org_unit = forms.CharField(label=_("Org unit code"), max_length=12)
    elder = forms.UUIDField(label=_("elder (if registered)"), required=False)


class ServiceForm(forms.Form):
    served_on = forms.DateField(label=_("service date"))
    hours = forms.DecimalField(label=_("hours"), max_digits=9, decimal_places=2)
    description = forms.CharField(label=_("service"), max_length=200)


class RelativeForm(forms.Form):
    elder = forms.UUIDField(label=_("elder"))
    relation = forms.ChoiceField(label=_("relation"), choices=[c for c in Relation.choices if c[0] != Relation.SELF])


class WithdrawForm(forms.Form):
    hours = forms.DecimalField(label=_("hours"), max_digits=9, decimal_places=2)
    beneficiary = forms.UUIDField(label=_("beneficiary"))
    relation = forms.ChoiceField(label=_("relation"), choices=Relation.choices)
    note = forms.CharField(label=_("service received"), max_length=200, required=False)
