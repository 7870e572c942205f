"""Shared fixtures: the real Kunming tree, and named personas per role and area (style habit 11)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

# Page tests drive a real browser from a synchronous test; Django's async-safety check would trip on it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Chun-cheng-2026!"


def load_tree() -> None:
    from chuncheng.cli import load_reference_org_units

    load_reference_org_units()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_tree()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    from django.core.cache import cache

    # Tests serve static files from the app folders (no collectstatic manifest needed).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Tests do not need slow password hashing; production keeps Django's PBKDF2 default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield


@pytest.fixture
def org_tree(db):
    """The reference tree is loaded once per session; transactional tests flush it, so reload when missing."""
    from chuncheng.core.models import OrgUnit

    if not OrgUnit.objects.exists():
        load_tree()
    return OrgUnit.objects


def make_institution(code: str, name: str, **extra):
    import hashlib

    from chuncheng.core.models import OrgUnit
    from chuncheng.core.validators import uscc_check_char
    from chuncheng.institutions.models import Institution

    body = (
        "52"
        + code[:6]
        + hashlib.sha1(name.encode())
        .hexdigest()
        .upper()[:9]
        .replace("I", "1")
        .replace("O", "0")
        .replace("S", "5")
        .replace("V", "7")
        .replace("Z", "2")
    )
    defaults = dict(uscc=body + uscc_check_char(body), kind="private_nonprofit", approved_beds=100, nursing_beds=50)
    defaults.update(extra)
    return Institution.objects.create(name=name, org_unit=OrgUnit.objects.get(code=code), **defaults)


@dataclass
class Personas:
    city: object
    wuhua: object
    guandu: object
    huashan: object
    community: object
    operator: object
    sysadmin: object
    secadmin: object
    auditadmin: object
    wuhua_home: object  # an institution in 五华区 华山街道
    guandu_home: object  # an institution in 官渡区 关上街道

    def area_users(self):
        return [self.city, self.wuhua, self.guandu, self.huashan, self.community, self.operator]


def make_user(username: str, role: str, *, org: str | None = None, institution=None, provider=None, must_change=False):
    from chuncheng.core.models import OrgUnit, User

    user = User(
        username=username,
        role=role,
        org_unit=OrgUnit.objects.get(code=org) if org else None,
        institution=institution,
        provider=provider,
        must_change_password=must_change,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def personas(org_tree) -> Personas:
    wuhua_home = make_institution("530102001", "华山颐养院")
    guandu_home = make_institution("530111001", "关上康养中心")
    huashan_village = org_tree.filter(code__startswith="530102001", level="village").order_by("code").first()
    return Personas(
        city=make_user("city", "city_official", org="530100"),
        wuhua=make_user("wuhua", "county_official", org="530102"),
        guandu=make_user("guandu", "county_official", org="530111"),
        huashan=make_user("huashan", "township_worker", org="530102001"),
        community=make_user("community", "community_worker", org=huashan_village.code),
        operator=make_user("operator", "institution_operator", institution=wuhua_home),
        sysadmin=make_user("sysadmin", "system_admin", org="530100"),
        secadmin=make_user("secadmin", "security_admin", org="530100"),
        auditadmin=make_user("auditadmin", "audit_admin", org="530100"),
        wuhua_home=wuhua_home,
        guandu_home=guandu_home,
    )


def verified_admin_client(user) -> Client:
    """A session for an administrator that has passed its TOTP check (as django_otp.login would record)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def client_for(user) -> Client:
    from chuncheng.core.roles import ADMIN_ROLES

    if user.role in ADMIN_ROLES:
        return verified_admin_client(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():
    return client_for
