"""The registry's rules, each with its error code; encryption at rest; audit rows without plaintext."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from chuncheng.core.cipher import CipherError, blind_index, get_cipher
from chuncheng.core.models import AccessLog, AuditAction, AuditEntry
from chuncheng.elders import queries, services
from chuncheng.elders.models import Elder, ElderContact
from tests.elders.conftest import fake_id, years_ago

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}
    return {"__all__": [e.code for e in exc.error_list]}


def register(personas, unit, id_number, actor=None, **extra):
    data = {"id_number": id_number, "name": "赵淑芬", "org_unit": unit, **extra}
    return services.register_elder(data, actor=actor or personas.wuhua)


def audit_text(elder) -> str:
    rows = AuditEntry.objects.filter(object_id=str(elder.public_id)).values_list("changes", flat=True)
    return json.dumps(list(rows), ensure_ascii=False)


def test_register_derives_sex_and_birth_date_and_masks(personas, villages):
    born = years_ago(66, days=3)
    number = fake_id(born, 7, female=True)
    elder = register(personas, villages[0], number, phone="138 1234 5678")
    assert (elder.sex, elder.birth_date, elder.status) == ("female", born, "active")
    assert elder.id_number_masked == number[:6] + "********" + number[-4:]
    assert elder.phone_masked == "138****5678"
    assert elder.id_number_index == blind_index(number, purpose="id_number")


def test_id_and_phone_are_encrypted_at_rest_and_bound_to_their_cell(personas, villages):
    number = fake_id(years_ago(70), 8)
    elder = register(personas, villages[0], number, phone="13912345678")
    stored = Elder.objects.values("id_number_enc", "phone_enc").get(pk=elder.pk)
    assert number not in stored["id_number_enc"] and number[6:14] not in stored["id_number_enc"]
    assert "13912345678" not in stored["phone_enc"]
    cipher = get_cipher()
    row = str(elder.public_id)
    assert cipher.decrypt(stored["id_number_enc"], table="elders_elder", column="id_number_enc", row=row) == number
    assert cipher.decrypt(stored["phone_enc"], table="elders_elder", column="phone_enc", row=row) == "13912345678"
    with pytest.raises(CipherError):
        cipher.decrypt(stored["id_number_enc"], table="elders_elder", column="phone_enc", row=row)
    with pytest.raises(CipherError):
        cipher.decrypt(stored["id_number_enc"], table="elders_elder", column="id_number_enc", row="another-row")


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda n: n[:17] + ("0" if n[17] != "0" else "1"), "id_number_check_digit"),
        (lambda n: n[:10], "id_number_format"),
        (lambda n: n[:10] + "1399" + n[14:], "id_number_birth_date"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_validator_codes(personas, villages, mangle, code):
    with pytest.raises(ValidationError) as caught:
        register(personas, villages[0], mangle(fake_id(years_ago(70), 9)))
    assert codes(caught.value) == {"id_number": [code]}
    assert not Elder.objects.exists()


def test_under_60_is_refused_unless_allowed(personas, villages):
    number = fake_id(years_ago(60) + timedelta(days=1), 10)  # 60 tomorrow
    with pytest.raises(ValidationError) as caught:
        register(personas, villages[0], number)
    assert codes(caught.value) == {"id_number": ["elder_under_60"]}
    elder = services.register_elder(
        {"id_number": number, "name": "钱小明", "org_unit": villages[0]}, actor=personas.wuhua, allow_under_60=True
    )
    assert elder.pk
    assert register(personas, villages[0], fake_id(years_ago(60), 11)).pk  # 60 today is in


def test_duplicate_id_number_is_refused(personas, registry):
    with pytest.raises(ValidationError) as caught:
        register(personas, registry.wuhua_village, registry.ids["wuhua"].lower())
    assert codes(caught.value) == {"id_number": ["elder_duplicate"]}
    # Even from another county: one person, one record.
    with pytest.raises(ValidationError) as caught:
        register(personas, registry.wuhua_village, registry.ids["guandu"])
    assert codes(caught.value) == {"id_number": ["elder_duplicate"]}


def test_org_unit_outside_the_area_is_refused(personas, villages):
    with pytest.raises(ValidationError) as caught:
        register(personas, villages[2], fake_id(years_ago(70), 12))
    assert codes(caught.value) == {"org_unit": ["org_out_of_scope"]}
    assert not Elder.objects.exists()


def test_a_closed_org_unit_is_refused(personas, villages):
    unit = villages[0]
    unit.valid_to = queries.today()
    unit.save(update_fields=["valid_to"])
    with pytest.raises(ValidationError) as caught:
        register(personas, unit, fake_id(years_ago(70), 13))
    assert codes(caught.value) == {"org_unit": ["org_unit_closed"]}


def test_operator_and_administrators_cannot_register(personas, villages):
    for actor in (personas.operator, personas.sysadmin):
        with pytest.raises(ValidationError) as caught:
            register(personas, villages[0], fake_id(years_ago(70), 14), actor=actor)
        assert codes(caught.value) == {"__all__": ["permission_denied"]}
    assert not Elder.objects.exists()


def test_audit_rows_hold_no_plaintext_id_phone_or_birth_date(personas, registry):
    elder = registry.wuhua
    services.update_elder(elder, {"phone": "13700001111", "name": "王秀英"}, actor=personas.wuhua)
    services.add_contact(elder, {"name": "王强", "relation": "child", "phone": "13600002222"}, actor=personas.wuhua)
    text = audit_text(elder)
    number = registry.ids["wuhua"]
    for secret in (number, number[6:14], "13812345678", "13700001111", "13600002222"):
        assert secret not in text, secret
    created = AuditEntry.objects.get(object_id=str(elder.public_id), action=AuditAction.CREATE)
    assert created.changes["id_number_enc"] == [None, "[encrypted]"]
    assert "birth_date" not in created.changes and "id_number_index" not in created.changes
    assert created.org_code == elder.org_unit.code
    updated = AuditEntry.objects.filter(object_id=str(elder.public_id), action=AuditAction.UPDATE).first()
    assert updated is not None


def test_update_changes_details_and_is_audited(personas, registry):
    elder = services.update_elder(
        registry.wuhua,
        {"name": "王秀英", "categories": ["dibao"], "capability_level": "severe", "phone": "13700001111"},
        actor=personas.huashan,
    )
    assert (elder.tekun, elder.dibao, elder.capability_level, elder.phone_masked) == (
        False,
        True,
        "severe",
        "137****1111",
    )
    entry = AuditEntry.objects.filter(object_id=str(elder.public_id), action=AuditAction.UPDATE).latest("id")
    assert entry.changes["capability_level"] == ["mild", "severe"]
    assert entry.changes["phone_enc"] == ["[encrypted]", "[encrypted]"]
    assert entry.changes["phone_masked"] == ["138****5678", "137****1111"]
    assert entry.actor_username == "huashan"


def test_a_phone_change_behind_the_same_mask_is_still_audited(personas, registry):
    services.update_elder(registry.wuhua, {"phone": "13899995678"}, actor=personas.wuhua)  # mask stays 138****5678
    entry = AuditEntry.objects.filter(object_id=str(registry.wuhua.public_id), action=AuditAction.UPDATE).get()
    assert entry.changes == {"phone_enc": ["[encrypted]", "[encrypted]"]}
    services.update_elder(registry.wuhua, {"phone": "13899995678"}, actor=personas.wuhua)  # no change, no row
    assert AuditEntry.objects.filter(object_id=str(registry.wuhua.public_id), action=AuditAction.UPDATE).count() == 1


def test_update_refuses_unknown_fields_moves_out_of_area_and_other_areas(personas, registry):
    with pytest.raises(ValidationError) as caught:
        services.update_elder(registry.wuhua, {"status": "deceased"}, actor=personas.wuhua)
    assert codes(caught.value) == {"status": ["field_not_editable"]}
    with pytest.raises(ValidationError) as caught:
        services.update_elder(registry.wuhua, {"org_unit": registry.guandu_village}, actor=personas.wuhua)
    assert codes(caught.value) == {"org_unit": ["org_out_of_scope"]}
    with pytest.raises(ValidationError) as caught:
        services.update_elder(registry.guandu, {"name": "改名"}, actor=personas.wuhua)
    assert codes(caught.value) == {"__all__": ["permission_denied"]}
    registry.guandu.refresh_from_db()
    assert registry.guandu.name == "张桂兰"


def test_correcting_the_id_number_rederives_sex_and_birth_date(personas, registry):
    born = years_ago(75, days=20)
    corrected = fake_id(born, 21)
    elder = services.update_elder(registry.wuhua, {"id_number": corrected}, actor=personas.wuhua)
    assert (elder.sex, elder.birth_date) == ("male", born)
    assert queries.decrypt_id_number(Elder.objects.get(pk=elder.pk)) == corrected
    with pytest.raises(ValidationError) as caught:
        services.update_elder(elder, {"id_number": registry.ids["guandu"]}, actor=personas.wuhua)
    assert codes(caught.value) == {"id_number": ["elder_duplicate"]}


@pytest.mark.parametrize(
    ("service", "status", "field"),
    [(services.record_death, "deceased", "died_on"), (services.record_move_away, "moved_away", "moved_on")],
)
def test_death_and_moving_away_keep_the_record_and_drop_it_from_active_counts(
    personas, registry, service, status, field
):
    wuhua_active = queries.elder_list(personas.wuhua, {}).count()
    day = queries.today() - timedelta(days=3)
    elder = service(registry.wuhua, day, actor=personas.community)
    assert (elder.status, getattr(elder, field)) == (status, day)
    assert Elder.objects.active().count() == 2
    assert queries.elder_list(personas.wuhua, {}).count() == wuhua_active - 1
    assert queries.elder_list(personas.wuhua, {"status": "all"}).count() == wuhua_active
    assert queries.elder_list(personas.wuhua, {"status": status}).get() == elder
    entry = AuditEntry.objects.filter(object_id=str(elder.public_id), action=AuditAction.STATE).get()
    assert entry.changes == {"status": ["active", status], field: [None, str(day)]}
    with pytest.raises(ValidationError) as caught:
        service(elder, day, actor=personas.wuhua)
    assert codes(caught.value) == {"__all__": ["elder_not_active"]}


@pytest.mark.parametrize("service", [services.record_death, services.record_move_away])
def test_a_date_in_the_future_or_before_birth_is_refused(personas, registry, service):
    with pytest.raises(ValidationError) as caught:
        service(registry.wuhua, queries.today() + timedelta(days=1), actor=personas.wuhua)
    assert next(iter(codes(caught.value).values())) == ["date_in_future"]
    with pytest.raises(ValidationError) as caught:
        service(registry.wuhua, registry.wuhua.birth_date - timedelta(days=1), actor=personas.wuhua)
    assert next(iter(codes(caught.value).values())) == ["date_before_birth"]
    registry.wuhua.refresh_from_db()
    assert registry.wuhua.status == "active"


def test_operator_cannot_record_a_death(personas, registry, admit):
    admit(registry.wuhua, personas.wuhua_home)
    with pytest.raises(ValidationError) as caught:
        services.record_death(registry.wuhua, queries.today(), actor=personas.operator)
    assert codes(caught.value) == {"__all__": ["permission_denied"]}


def test_contacts_one_guardian_at_most_and_encrypted_phone(personas, registry):
    elder = registry.wuhua
    son = services.add_contact(
        elder, {"name": "王强", "relation": "child", "phone": "13600002222", "is_guardian": True}, actor=personas.wuhua
    )
    stored = ElderContact.objects.values_list("phone_enc", flat=True).get(pk=son.pk)
    assert "13600002222" not in stored
    assert (
        get_cipher().decrypt(stored, table="elders_eldercontact", column="phone_enc", row=str(son.public_id))
        == "13600002222"
    )
    with pytest.raises(ValidationError) as caught:
        services.add_contact(elder, {"name": "王丽", "relation": "child", "is_guardian": True}, actor=personas.wuhua)
    assert codes(caught.value) == {"is_guardian": ["elder_one_guardian"]}
    daughter = services.add_contact(elder, {"name": "王丽", "relation": "child"}, actor=personas.wuhua)
    with pytest.raises(ValidationError) as caught:
        services.update_contact(daughter, {"is_guardian": True}, actor=personas.wuhua)
    assert codes(caught.value) == {"is_guardian": ["elder_one_guardian"]}
    services.update_contact(son, {"is_guardian": False}, actor=personas.wuhua)
    services.update_contact(daughter, {"is_guardian": True, "phone": "0871-65001122"}, actor=personas.wuhua)
    daughter.refresh_from_db()
    assert (daughter.is_guardian, daughter.phone_masked) == (True, "0871-****1122")
    services.remove_contact(son, actor=personas.wuhua)
    assert list(elder.contacts.values_list("name", flat=True)) == ["王丽"]
    history = [
        e.changes["contact"]
        for e in AuditEntry.objects.filter(object_id=str(elder.public_id)).order_by("id")
        if "contact" in e.changes
    ]
    assert len(history) == 5  # two added, two changed, one removed
    assert history[-1][1] is None and history[-1][0]["name"] == "王强"  # the removal keeps who it was


def test_contacts_of_another_area_cannot_be_changed(personas, registry):
    with pytest.raises(ValidationError) as caught:
        services.add_contact(registry.guandu, {"name": "张伟", "relation": "child"}, actor=personas.wuhua)
    assert codes(caught.value) == {"__all__": ["permission_denied"]}
    assert not ElderContact.objects.exists()


def test_reveal_returns_the_full_number_and_writes_the_access_log(personas, registry):
    value = services.reveal_id_number(registry.wuhua, actor=personas.community, purpose="办理高龄津贴")
    assert value == registry.ids["wuhua"]
    log = AccessLog.objects.get()
    assert (log.user, log.model, log.object_id, log.fields, log.purpose) == (
        personas.community,
        "elders.elder",
        str(registry.wuhua.public_id),
        ["id_number"],
        "办理高龄津贴",
    )


def test_reveal_needs_a_purpose_and_the_area(personas, registry):
    with pytest.raises(ValidationError) as caught:
        services.reveal_id_number(registry.wuhua, actor=personas.wuhua, purpose="  ")
    assert codes(caught.value) == {"purpose": ["purpose_required"]}
    with pytest.raises(ValidationError) as caught:
        services.reveal_id_number(registry.wuhua, actor=personas.guandu, purpose="核对")
    assert codes(caught.value) == {"__all__": ["permission_denied"]}
    assert not AccessLog.objects.exists()
