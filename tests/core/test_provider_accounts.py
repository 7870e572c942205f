"""Provider accounts (服务商管理员, 护理员): scoped to exactly one service provider, in the service, the database and the
administrators' pages, with Chinese refusals that write nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chuncheng.core import accounts
from chuncheng.core.models import OrgUnit, User
from chuncheng.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(personas):
    from chuncheng.homecare import services
    from tests.homecare.conftest import usccs

    return services.register_provider(
        {
            "name": "华山居家服务社",
            "uscc": usccs("530102001", "华山居家服务社证照"),
            "org_unit": OrgUnit.objects.get(code="530102"),
            "areas": ["530102"],
        },
        actor=personas.city,
    )


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def test_provider_roles_are_scoped_to_one_provider(personas, provider):
    user, _password = accounts.create_user("hs.provider", Role.PROVIDER_OPERATOR, provider=provider)
    assert (user.provider_id, user.org_unit_id, user.institution_id, user.scope_prefix) == (
        provider.pk,
        None,
        None,
        None,
    )
    carer, _password = accounts.create_user("hs.carer", Role.CAREGIVER, provider=provider)
    assert carer.provider_id == provider.pk
    wuhua = OrgUnit.objects.get(code="530102")
    refusals = [
        (dict(role=Role.PROVIDER_OPERATOR), "scope_provider"),
        (dict(role=Role.CAREGIVER, org_unit=wuhua), "scope_provider"),
        (dict(role=Role.CAREGIVER, provider=provider, org_unit=wuhua), "scope_provider"),
        (dict(role=Role.CAREGIVER, provider=provider, institution=personas.wuhua_home), "scope_provider"),
        (dict(role=Role.COUNTY_OFFICIAL, org_unit=wuhua, provider=provider), "scope_provider_role"),
        (
            dict(role=Role.INSTITUTION_OPERATOR, institution=personas.wuhua_home, provider=provider),
            "scope_provider_role",
        ),
    ]
    for n, (kwargs, code) in enumerate(refusals):
        role = kwargs.pop("role")
        with pytest.raises(ValidationError) as exc:
            accounts.create_user(f"bad{n}", role, **kwargs)
        assert codes(exc.value) == {code}, kwargs
        assert not User.objects.filter(username=f"bad{n}").exists()
        assert "服务商" in " ".join(exc.value.messages)  # the message names the provider (服务商), in Chinese
    provider.active = False
    provider.save()
    with pytest.raises(ValidationError) as exc:
        accounts.create_user("late", Role.CAREGIVER, provider=provider)
    assert codes(exc.value) == {"provider_inactive"}


def test_the_database_holds_exactly_one_scope(personas, provider):
    wuhua = OrgUnit.objects.get(code="530102")
    bad = [
        User(username="x1", role=Role.CAREGIVER, org_unit=wuhua),
        User(username="x2", role=Role.PROVIDER_OPERATOR, provider=provider, org_unit=wuhua),
        User(username="x3", role=Role.TOWNSHIP_WORKER, org_unit=wuhua, provider=provider),
        User(username="x4", role=Role.INSTITUTION_OPERATOR, institution=personas.wuhua_home, provider=provider),
    ]
    for user in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            user.save()
    User(username="ok", role=Role.CAREGIVER, provider=provider).save()


def test_the_account_pages_take_a_provider_credit_code(personas, login, provider):
    sysadmin = login(personas.sysadmin)
    response = sysadmin.post(
        "/admin/users/", {"username": "hs.op", "role": "provider_operator", "provider_uscc": provider.uscc.lower()}
    )
    assert 'data-testid="one-time-password"' in response.content.decode()
    assert User.objects.get(username="hs.op").provider_id == provider.pk
    response = sysadmin.post(
        "/admin/users/", {"username": "hs.bad", "role": "caregiver", "provider_uscc": "91530100MA6N000000"}
    )
    assert (
        "没有服务商使用这个统一社会信用代码" in response.content.decode()
        or not User.objects.filter(username="hs.bad").exists()
    )
    assert not User.objects.filter(username="hs.bad").exists()
    sysadmin.post("/admin/users/", {"username": "hs.none", "role": "caregiver"})
    assert not User.objects.filter(username="hs.none").exists()
    secadmin = login(personas.secadmin)
    response = secadmin.post(
        f"/admin/users/{personas.huashan.public_id}/role/", {"role": "caregiver", "provider_uscc": provider.uscc}
    )
    assert response.status_code == 302
    personas.huashan.refresh_from_db()
    assert (personas.huashan.role, personas.huashan.provider_id, personas.huashan.org_unit_id) == (
        "caregiver",
        provider.pk,
        None,
    )
    response = secadmin.post(
        f"/admin/users/{personas.wuhua.public_id}/role/",
        {"role": "county_official", "org_unit": "530102", "provider_uscc": provider.uscc},
    )
    assert response.status_code == 200
    personas.wuhua.refresh_from_db()
    assert personas.wuhua.provider_id is None
