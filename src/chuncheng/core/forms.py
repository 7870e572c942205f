from django import forms
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Role


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            raise forms.ValidationError(_("The two new passwords differ."), code="password_mismatch")
        return data


class OtpForm(forms.Form):
    token = forms.RegexField(label=_("6-digit code"), regex=r"^\d{6}$", max_length=6)


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("Username"), regex=r"^[A-Za-z0-9_.-]{3,150}$", max_length=150)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org_unit = forms.CharField(label=_("Org unit code"), max_length=12, required=False)
    institution_uscc = forms.CharField(label=_("Institution credit code"), max_length=18, required=False)
    provider_uscc = forms.CharField(
        label=_("Service provider credit code"),
        max_length=18,
        required=False,
        help_text=_("For provider operators and caregivers only."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org_unit = forms.CharField(label=_("Org unit code"), max_length=12, required=False)
    institution_uscc = forms.CharField(label=_("Institution credit code"), max_length=18, required=False)
    provider_uscc = forms.CharField(
        label=_("Service provider credit code"),
        max_length=18,
        required=False,
        help_text=_("For provider operators and caregivers only."),
    )


def org_unit_by_code(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code.strip()).first() if code and code.strip() else None
