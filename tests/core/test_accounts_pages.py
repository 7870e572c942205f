"""The administrators' account pages: creation by the system administrator, roles and unlocks by the security one."""

from __future__ import annotations

import pytest

from chuncheng.core.models import SecurityEvent, SecurityEventKind, User

pytestmark = pytest.mark.django_db


def test_system_admin_creates_an_account_with_a_one_time_password(personas, login):
    c = login(personas.sysadmin)
    response = c.post(
        "/admin/users/", {"username": "xishan.worker", "role": "township_worker", "org_unit": "530112001"}
    )
    assert response.status_code == 200
    assert 'data-testid="one-time-password"' in response.content.decode()
    user = User.objects.get(username="xishan.worker")
    assert (user.role, user.org_unit.code, user.must_change_password) == ("township_worker", "530112001", True)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT_CREATED).count() == 1


def test_wrong_level_scope_is_refused(personas, login):
    c = login(personas.sysadmin)
    c.post("/admin/users/", {"username": "bad.scope", "role": "county_official", "org_unit": "530102001"})
    assert not User.objects.filter(username="bad.scope").exists()


def test_security_admin_changes_a_role_and_it_is_logged(personas, login):
    c = login(personas.secadmin)
    response = c.post(
        f"/admin/users/{personas.huashan.public_id}/role/", {"role": "county_official", "org_unit": "530103"}
    )
    assert response.status_code == 302
    personas.huashan.refresh_from_db()
    assert (personas.huashan.role, personas.huashan.org_unit.code) == ("county_official", "530103")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGE).count() == 1


def test_only_the_security_admin_assigns_roles_and_unlocks(personas, login):
    for persona in (personas.sysadmin, personas.auditadmin, personas.city):
        c = login(persona)
        assert c.get(f"/admin/users/{personas.huashan.public_id}/role/").status_code == 404
        assert c.post(f"/admin/users/{personas.huashan.public_id}/unlock/").status_code == 404
    assert login(personas.secadmin).post(f"/admin/users/{personas.huashan.public_id}/unlock/").status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCK).count() == 1
