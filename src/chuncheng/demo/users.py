"""One demo account per role, a city official first. Passwords are random, printed once, changed at first login."""

from __future__ import annotations

from dataclasses import dataclass

from chuncheng.core import accounts
from chuncheng.core.models import OrgUnit, User
from chuncheng.core.roles import Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str  # org-unit code, or an institution's USCC for the operator


DEMO_ACCOUNTS = [
    DemoAccount("city.official", Role.CITY_OFFICIAL, "530100"),
    DemoAccount("wuhua.official", Role.COUNTY_OFFICIAL, "530102"),
    DemoAccount("guandu.official", Role.COUNTY_OFFICIAL, "530111"),
    DemoAccount("huashan.worker", Role.TOWNSHIP_WORKER, "530102001"),
    DemoAccount("community.worker", Role.COMMUNITY_WORKER, ""),  # first community of 华山街道
    DemoAccount("operator", Role.INSTITUTION_OPERATOR, ""),  # the first demo institution of 五华区
    DemoAccount("sysadmin", Role.SYSTEM_ADMIN, "530100"),
    DemoAccount("secadmin", Role.SECURITY_ADMIN, "530100"),
    DemoAccount("auditadmin", Role.AUDIT_ADMIN, "530100"),
]


def create_demo_users(operator_institution=None) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; return (username, role label, password) of the new ones."""
    created = []
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username=account.username).exists():
            continue
        org_unit = institution = None
        if account.role == Role.INSTITUTION_OPERATOR:
            institution = operator_institution
            if institution is None:
                continue
        elif account.scope:
            org_unit = OrgUnit.objects.get(code=account.scope)
        else:
            org_unit = OrgUnit.objects.filter(code__startswith="530102001", level="village").order_by("code").first()
        user, password = accounts.create_user(
            account.username, account.role, org_unit=org_unit, institution=institution
        )
        created.append((user.username, str(Role(account.role).label), password))
    return created
