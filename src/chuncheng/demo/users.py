"""One demo account per role, a city official first. Passwords are random, printed once, changed at first login."""

from __future__ import annotations

from dataclasses import dataclass

from chuncheng.core import accounts
from chuncheng.core.models import OrgUnit, User
from chuncheng.core.roles import PROVIDER_ROLES, Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str  # org-unit code; empty for the operator, the provider accounts and the community worker


DEMO_ACCOUNTS = [
    DemoAccount("city.official", Role.CITY_OFFICIAL, "530100"),
    DemoAccount("wuhua.official", Role.COUNTY_OFFICIAL, "530102"),
    DemoAccount("guandu.official", Role.COUNTY_OFFICIAL, "530111"),
    DemoAccount("huashan.worker", Role.TOWNSHIP_WORKER, "530102001"),
    DemoAccount("community.worker", Role.COMMUNITY_WORKER, ""),  # first community of 华山街道
    DemoAccount("operator", Role.INSTITUTION_OPERATOR, ""),  # the first demo institution of 五华区
    DemoAccount("provider", Role.PROVIDER_OPERATOR, ""),  # the first demo home-service provider
    DemoAccount("caregiver", Role.CAREGIVER, ""),  # linked to the first caregiver of that provider
    DemoAccount("sysadmin", Role.SYSTEM_ADMIN, "530100"),
    DemoAccount("secadmin", Role.SECURITY_ADMIN, "530100"),
    DemoAccount("auditadmin", Role.AUDIT_ADMIN, "530100"),
]


def _demo_provider():
    """The first demo home-service provider (made by demo/homecare.py), or None before the demo services exist."""
    from chuncheng.homecare.models import Provider

    return Provider.objects.filter(name__endswith="（演示）").order_by("pk").first()


def create_demo_users(operator_institution=None) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; return (username, role label, password) of the new ones.
    Accounts whose scope does not exist yet (the operator's institution, the demo provider) are skipped and made by a
    later run (``chuncheng demo`` builds the data first, then calls this)."""
    from chuncheng.homecare import services as homecare

    created = []
    provider = _demo_provider()
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username=account.username).exists():
            continue
        org_unit = institution = None
        if account.role in PROVIDER_ROLES:
            caregiver = provider.caregivers.filter(user__isnull=True).order_by("pk").first() if provider else None
            if provider is None or (account.role == Role.CAREGIVER and caregiver is None):
                continue
            user, password = accounts.create_user(account.username, account.role, provider=provider)
            if account.role == Role.CAREGIVER:
                homecare.link_caregiver_login(caregiver, user, actor=None)
            created.append((user.username, str(Role(account.role).label), password))
            continue
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
