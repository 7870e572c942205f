"""Audit: every business write leaves a row with before/after; the tables refuse UPDATE and DELETE in the database."""

from __future__ import annotations

import io

import pytest
from django.db import DatabaseError, connection, transaction

from chuncheng.core.audit import ENCRYPTED_MARK, diff, snapshot
from chuncheng.core.imports import run_import
from chuncheng.core.models import AccessLog, AuditEntry, ImportLog, SecurityEvent, SecurityEventKind
from chuncheng.core.orgunits import OrgUnitImporter
from chuncheng.institutions import services

pytestmark = pytest.mark.django_db


def test_service_writes_create_and_update_rows(personas):
    from chuncheng.core.models import OrgUnit

    institution = services.file_institution(
        {
            "name": "翠湖颐养院",
            "uscc": "91110000600037341L",
            "org_unit": OrgUnit.objects.get(code="530102002"),
            "kind": "private_forprofit",
            "approved_beds": 80,
            "nursing_beds": 40,
        },
        actor=personas.wuhua,
    )
    created = AuditEntry.objects.get(
        model="institutions.institution", object_id=str(institution.public_id), action="create"
    )
    assert created.actor == personas.wuhua
    assert created.changes["approved_beds"] == [None, 80]
    assert created.org_code == "530102002"
    services.update_institution(institution, {"approved_beds": 90}, actor=personas.wuhua)
    updated = AuditEntry.objects.get(object_id=str(institution.public_id), action="update")
    assert updated.changes == {"approved_beds": [80, 90]}
    services.set_status(institution, "suspended", actor=personas.wuhua)
    assert AuditEntry.objects.filter(object_id=str(institution.public_id)).count() == 3


def test_a_failed_write_leaves_no_audit_row(personas):
    from django.core.exceptions import ValidationError

    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.update_institution(personas.wuhua_home, {"nursing_beds": 10_000}, actor=personas.wuhua)
    assert AuditEntry.objects.count() == before


def test_encrypted_fields_never_reach_the_audit_log(personas):
    institution = personas.wuhua_home
    institution.encrypted_fields = ("phone",)
    institution.phone = "13812345678"
    data = snapshot(institution)
    assert data["phone"] == ENCRYPTED_MARK
    assert "13812345678" not in str(diff({}, data))


def test_bulk_import_writes_its_own_audit_row_and_log(org_tree):
    result = run_import(OrgUnitImporter(None), io.BytesIO("code,name\n530193,批量区\n".encode()), "bulk.csv")
    assert result.ok
    row = AuditEntry.objects.filter(action="bulk_create", model="core.orgunit").latest("id")
    assert row.count == 1 and row.changes["file"] == "bulk.csv"
    log = ImportLog.objects.latest("id")
    assert (log.kind, log.rows_total, log.rows_created) == ("org-units", 1, 1)
    assert len(log.file_sha256) == 64


@pytest.mark.parametrize("table", ["core_auditentry", "core_securityevent", "core_accesslog", "core_importlog"])
def test_raw_sql_cannot_change_or_delete_audit_rows(personas, table):
    AuditEntry.objects.create(action="create", model="x.y", object_id="1")
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_OK, username="x")
    AccessLog.objects.create(user=personas.city, model="x.y", object_id="1")
    ImportLog.objects.create(kind="x", file_name="f", file_sha256="0" * 64)
    for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] >= 1


def test_orm_refuses_to_edit_audit_rows():
    entry = AuditEntry.objects.create(action="create", model="x.y", object_id="1")
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_audit_admin_searches_and_the_search_is_logged(personas, login):
    services.update_institution(personas.wuhua_home, {"approved_beds": 120}, actor=personas.wuhua)
    c = login(personas.auditadmin)
    page = c.get("/admin/audit/?q=wuhua").content.decode()
    assert "华山颐养院" in page
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.AUDIT_SEARCH, user=personas.auditadmin).exists()
    api = c.get("/api/v1/audit/?model=institutions.institution").json()
    assert api["results"][0]["changes"] == {"approved_beds": [100, 120]}
    security = c.get("/admin/audit/?tab=security").status_code
    assert security == 200


def test_detail_page_shows_history(personas, login):
    services.update_institution(personas.wuhua_home, {"approved_beds": 130}, actor=personas.wuhua)
    page = login(personas.wuhua).get(f"/institutions/{personas.wuhua_home.public_id}/").content.decode()
    assert "100 → 130" in page


def test_exports_and_denials_are_security_events(personas, login):
    c = login(personas.wuhua)
    c.get("/institutions/export/")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, user=personas.wuhua).count() == 1
    login(personas.city).get("/admin/audit/")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCESS_DENIED, user=personas.city).count() == 1


def test_flush_knows_every_append_only_table():
    from chuncheng.core.dbtriggers import AUDIT_TABLES, append_only_tables

    tables = append_only_tables(connection)
    assert set(AUDIT_TABLES) <= set(tables)
    assert "benefits_ledgerentry" in tables
