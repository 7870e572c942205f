"""Authentication rules of 等保 level 3 (issue 2 item 4; security-checklist A1–A4, B1–B2).

Password policy, lock-out on the page and on the token endpoint, idle timeout, TOTP for the three administrators,
no API tokens for administrators, the forced first password change, no superuser and one role per account.
"""

from __future__ import annotations

import base64
import html
import re
import string
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuncheng.core import accounts
from chuncheng.core.api import LoginRateThrottle
from chuncheng.core.api_auth import issue_token
from chuncheng.core.auth import bad_credentials_message, locked_message
from chuncheng.core.models import OrgUnit, SecurityEvent, SecurityEventKind, User
from tests.conftest import PASSWORD

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)  # 09:00 in Kunming
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
WRONG = "Wrong-password-99"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def post_login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def post_token(client: Client, username: str, password: str):
    return client.post(TOKEN, {"username": username, "password": password}, content_type="application/json")


def login_error(response) -> str | None:
    match = re.search(r'data-testid="login-error">(.*?)</div>', response.content.decode(), re.S)
    return html.unescape(match.group(1)) if match else None


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def events(kind: str, **lookup) -> int:
    return SecurityEvent.objects.filter(kind=kind, **lookup).count()


def zh(message_fn) -> str:
    with translation.override("zh-hans"):
        return message_fn()


# ---- 1. password policy (A1) -------------------------------------------------------------------------------------


def codes_of(password: str, username: str = "wang.xiaoming") -> set[str]:
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Ab1!Ab1!Ab1", {"password_too_short"}),  # 11 characters, four classes
        ("abcdefghijkl", {"password_character_classes"}),  # one class
        ("abcdefgh1234", {"password_character_classes"}),  # two classes
        ("Password1234", {"password_too_common"}),  # "password1234" is on Django's list
        ("Wang.Xiaoming1", {"password_too_similar"}),
        ("123456789012", {"password_entirely_numeric", "password_character_classes"}),
        ("Kunming-Dianchi-7", set()),
        ("lake dian 2026", set()),  # a space counts as a symbol
    ],
)
def test_password_policy(db, password, codes):
    assert codes_of(password) == codes


def has_classes(password: str) -> int:
    return sum(
        (
            any(c in string.ascii_lowercase or (c.isalpha() and c.islower()) for c in password),
            any(c in string.ascii_uppercase or (c.isalpha() and c.isupper()) for c in password),
            any(c in string.digits for c in password),
            any(c in string.punctuation or c == " " for c in password),
        )
    )


CLASSES = [string.ascii_lowercase + "é", string.ascii_uppercase + "É", string.digits, string.punctuation + " ", "中文"]
# Mostly one or two classes (the weak passwords a flawed validator would let through), sometimes everything.
ALPHABETS = [a + b for a in CLASSES for b in CLASSES] + ["".join(CLASSES)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.sampled_from(ALPHABETS).flatmap(lambda alphabet: st.text(alphabet=alphabet, min_size=6, max_size=16)))
def test_any_accepted_password_is_long_and_mixed(db, password):
    if codes_of(password):
        return
    assert len(password) >= 12
    assert has_classes(password) >= 3


# ---- 2. lock-out on the login page (A2) --------------------------------------------------------------------------


def test_login_page_lockout_and_cooloff(personas, clock):
    known, unknown = Client(), Client()
    for attempt in range(1, 5):
        mine, theirs = post_login(known, "city", WRONG), post_login(unknown, "nobody.here", WRONG)
        assert (mine.status_code, theirs.status_code) == (200, 200), attempt
        assert login_error(mine) == login_error(theirs) == zh(bad_credentials_message)
        assert without_csrf(mine) == without_csrf(theirs)
    mine, theirs = post_login(known, "city", WRONG), post_login(unknown, "nobody.here", WRONG)
    assert (mine.status_code, theirs.status_code) == (403, 403)
    assert login_error(mine) == login_error(theirs) == zh(locked_message)
    assert without_csrf(mine) == without_csrf(theirs)

    refused = post_login(known, "city", PASSWORD)
    assert refused.status_code == 403
    assert login_error(refused) == zh(locked_message)
    assert "_auth_user_id" not in known.session
    assert known.get("/").status_code == 302

    with translation.override("en"):
        english = post_login(Client(headers={"accept-language": "en"}), "city", PASSWORD)
        assert (english.status_code, login_error(english)) == (403, locked_message())

    assert events(SecurityEventKind.LOGIN_FAILED, username="city") == 7  # 5 wrong, 2 right ones while locked
    assert events(SecurityEventKind.LOGIN_FAILED, username="nobody.here") == 5
    assert events(SecurityEventKind.LOCKOUT, username="city") == 3
    assert events(SecurityEventKind.LOCKOUT, username="nobody.here") == 1

    clock.shift(timedelta(minutes=14))
    assert post_login(known, "city", PASSWORD).status_code == 403  # still locked
    clock.shift(timedelta(minutes=15, seconds=1))  # 15 minutes after the last attempt
    ok = post_login(known, "city", PASSWORD)
    assert (ok.status_code, ok["Location"]) == (302, "/")
    assert known.get("/").status_code == 200
    assert events(SecurityEventKind.LOGIN_OK, username="city") == 1


def test_login_page_rate_per_address(personas, clock, settings):
    settings.LOGIN_RATE_PER_MINUTE = 3
    client = Client()
    assert [post_login(client, f"user{i}", WRONG).status_code for i in range(4)] == [200, 200, 200, 429]
    clock.shift(timedelta(minutes=1))
    assert post_login(client, "city", PASSWORD).status_code == 302


# ---- 3. lock-out on the API token endpoint (A2) ------------------------------------------------------------------


def test_token_endpoint_lockout_and_cooloff(personas, clock):
    api = Client()
    for _attempt in range(4):
        mine, theirs = post_token(api, "city", WRONG), post_token(api, "nobody.here", WRONG)
        assert (mine.status_code, theirs.status_code) == (401, 401)
        assert mine.json() == theirs.json() == {"code": "bad_credentials", "message": zh(bad_credentials_message)}
    locked = {"code": "account_locked", "message": zh(locked_message)}
    fifth = post_token(api, "city", WRONG)
    assert (fifth.status_code, fifth.json()) == (403, locked)
    right = post_token(api, "city", PASSWORD)
    assert (right.status_code, right.json()) == (403, locked)
    assert events(SecurityEventKind.LOCKOUT, username="city") == 2  # one per locked request, not two

    clock.shift(timedelta(minutes=15, seconds=1))
    issued = post_token(api, "city", PASSWORD)
    assert issued.status_code == 201
    assert issued.json()["expires_in_days"] == 30
    me = Client().get(ME, headers={"authorization": f"Token {issued.json()['token']}"})
    assert (me.status_code, me.json()["username"], me.json()["org_unit"]) == (200, "city", "530100")
    assert Client().get(ME, headers={"authorization": "Token not-a-token"}).status_code == 401


def test_token_success_resets_failures_like_the_login_page(personas, clock):
    api = Client()
    for _round in range(2):
        assert [post_token(api, "city", WRONG).status_code for _ in range(4)] == [401] * 4
        assert post_token(api, "city", PASSWORD).status_code == 201


def test_token_endpoint_rate_per_address(personas, clock, settings, monkeypatch):
    settings.LOGIN_RATE_PER_MINUTE = 3
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": f"{settings.LOGIN_RATE_PER_MINUTE}/min"})
    api = Client()
    statuses = [post_token(api, f"user{i}", WRONG).status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert post_token(api, "city", PASSWORD).json()["code"] == "throttled"
    clock.shift(timedelta(minutes=1, seconds=1))
    assert post_token(api, "city", PASSWORD).status_code == 201


# ---- 4. idle timeout, absolute lifetime, logout (A3, D7) ---------------------------------------------------------


def logged_in(username: str = "city") -> Client:
    client = Client()
    response = post_login(client, username, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    return client


def test_idle_session_expires_after_30_minutes(personas, clock):
    page, api = logged_in(), logged_in()
    clock.shift(timedelta(minutes=31))
    expired = page.get("/org/")
    assert (expired.status_code, expired["Location"]) == (302, "/accounts/login/?expired=1")
    assert page.get("/")["Location"] == "/accounts/login/?next=/"
    refused = api.get(ME)
    assert (refused.status_code, refused.json()["code"]) == (401, "session_expired")
    assert api.get(ME).json()["code"] == "not_authenticated"
    assert events(SecurityEventKind.SESSION_TIMEOUT, username="city") == 2


def test_activity_resets_the_idle_clock(personas, clock):
    client = logged_in()
    clock.shift(timedelta(minutes=20))
    assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=20))  # 40 since login, 20 since the last request
    assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=29))
    assert client.get(ME).status_code == 200


def test_polling_does_not_count_as_activity(personas, clock):
    client = logged_in()
    clock.shift(timedelta(minutes=20))
    assert client.get(ME, headers={"x-chuncheng-poll": "1"}).status_code == 200
    clock.shift(timedelta(minutes=11))
    assert client.get("/")["Location"] == "/accounts/login/?expired=1"


def test_session_lifetime_is_absolute_12_hours(personas, clock):
    client = logged_in()
    for _step in range(28):  # active every 25 minutes: 11 h 40 min
        clock.shift(timedelta(minutes=25))
        assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=21))  # 12 h 1 min after login, 21 min idle
    assert client.get("/")["Location"] == "/accounts/login/?expired=1"


def test_logout_deletes_the_server_side_session(personas):
    client = logged_in()
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert events(SecurityEventKind.LOGOUT, username="city") == 1
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/")["Location"] == "/accounts/login/?next=/"
    assert client.get("/accounts/logout/").status_code == 405  # never by a GET link


# ---- 5. TOTP for the three administrators (A4) -------------------------------------------------------------------


def other_code(key: bytes) -> str:
    near = {totp(key, drift=d) for d in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1000000) if n not in near)


def post_otp(client: Client, code: str | int):
    return client.post("/accounts/otp/", {"token": code if isinstance(code, str) else f"{code:06d}"})


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditadmin"])
def test_admin_enrols_and_verifies_totp(personas, clock, username):
    user = User.objects.get(username=username)
    client = logged_in(username)
    for path in ("/", "/org/", "/admin/users/", "/admin/audit/", "/institutions/", "/accounts/login/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/accounts/otp/"), path
    denied = client.get(ME)
    assert (denied.status_code, denied.json()["code"]) == (403, "otp_required")

    page = client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=user)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7=]+)<', page.content.decode()).group(1)
    assert not device.confirmed
    assert base64.b32decode(secret) == device.bin_key

    wrong = post_otp(client, other_code(device.bin_key))
    assert wrong.status_code == 200
    from django.utils.translation import gettext, override

    with override("zh-hans"):
        expected = gettext("The code is wrong or has already been used.")
    assert expected == "动态口令错误或已被使用。"
    assert expected in html.unescape(wrong.content.decode())
    assert client.get("/")["Location"] == "/accounts/otp/"
    assert events(SecurityEventKind.OTP_FAILED, username=username) == 1
    clock.shift(timedelta(seconds=3))  # django-otp's back-off after a failure

    code = totp(device.bin_key)
    enrolled = post_otp(client, code)
    assert (enrolled.status_code, enrolled["Location"]) == (302, "/")
    device.refresh_from_db()
    assert device.confirmed
    assert events(SecurityEventKind.OTP_ENROLLED, username=username) == 1
    assert client.get("/").status_code == 200
    assert client.get(ME).json()["role"] == user.role

    client.post("/accounts/logout/")
    client = logged_in(username)
    verify_page = client.get("/accounts/otp/")
    assert b'data-testid="otp-secret"' not in verify_page.content  # the secret is shown only while enrolling
    replay = post_otp(client, code)
    assert replay.status_code == 200
    assert client.get("/")["Location"] == "/accounts/otp/"
    clock.shift(timedelta(seconds=30))
    fresh = post_otp(client, totp(device.bin_key))
    assert (fresh.status_code, fresh["Location"]) == (302, "/")
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_admin_changes_password_only_after_totp(personas, clock):
    device = TOTPDevice.objects.create(user=personas.secadmin, name="phone", confirmed=True)
    client = logged_in("secadmin")
    new = "Kunming-Dianchi-7"
    body = {"old_password": PASSWORD, "new_password": new, "new_password_again": new}
    assert client.get("/accounts/password/")["Location"] == "/accounts/otp/"
    assert client.post("/accounts/password/", body)["Location"] == "/accounts/otp/"
    personas.secadmin.refresh_from_db()
    assert personas.secadmin.check_password(PASSWORD)
    assert post_otp(client, totp(device.bin_key))["Location"] == "/"
    assert client.post("/accounts/password/", body)["Location"] == "/"
    personas.secadmin.refresh_from_db()
    assert personas.secadmin.check_password(new)


def test_forced_change_comes_before_totp_enrolment(personas, clock):
    User.objects.filter(pk=personas.auditadmin.pk).update(must_change_password=True)
    client = logged_in("auditadmin")
    assert client.get("/")["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200
    new = "Kunming-Dianchi-7"
    changed = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": new, "new_password_again": new}
    )
    assert changed["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/otp/"


def test_otp_page_is_not_for_other_roles(personas):
    client = logged_in("city")
    assert client.get("/accounts/otp/").status_code == 404
    assert not TOTPDevice.objects.exists()


# ---- 6. administrators: no API tokens, no business records (A4, B2) ----------------------------------------------


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditadmin"])
def test_admins_are_refused_api_tokens(personas, username):
    response = post_token(Client(), username, PASSWORD)
    assert (response.status_code, response.json()["code"]) == (403, "token_admin_refused")
    assert events(SecurityEventKind.TOKEN_REFUSED, username=username) == 1
    _token, key = issue_token(User.objects.get(username=username))
    me = Client().get(ME, headers={"authorization": f"Token {key}"})
    assert (me.status_code, me.json()["code"]) == (401, "token_admin_refused")


def test_admins_cannot_read_institutions(personas, login):
    client = login(personas.auditadmin)
    assert client.get("/").status_code == 200  # the session is verified
    assert client.get(f"/institutions/{personas.wuhua_home.public_id}/").status_code == 404
    listing = client.get("/api/v1/institutions/")
    assert (listing.status_code, listing.json()["count"]) == (200, 0)
    assert client.get(f"/api/v1/institutions/{personas.wuhua_home.public_id}/").status_code == 404


# ---- 7. forced password change (B1) ------------------------------------------------------------------------------


def test_created_account_changes_password_first(personas, clock):
    user, first = accounts.create_user(
        "li.na", "county_official", org_unit=OrgUnit.objects.get(code="530102"), actor=personas.sysadmin
    )
    assert user.must_change_password
    client = Client()
    assert post_login(client, "li.na", first)["Location"] == "/"
    for path in ("/", "/org/", "/institutions/", "/admin/users/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/accounts/password/"), path
    denied = client.get(ME)
    assert (denied.status_code, denied.json()["code"]) == (403, "password_change_required")
    refused_token = post_token(Client(), "li.na", first)
    assert (refused_token.status_code, refused_token.json()["code"]) == (403, "password_change_required")

    def change(old, new):
        return client.post("/accounts/password/", {"old_password": old, "new_password": new, "new_password_again": new})

    assert b"field-error" in change(first, first).content  # the same password is refused
    assert b"field-error" in change(first, "kunmingdianchi").content  # one character class
    assert b"field-error" in change("Not-the-old-1", "Kunming-Dianchi-7").content
    user.refresh_from_db()
    assert user.must_change_password
    assert events(SecurityEventKind.PASSWORD_CHANGE, username="li.na") == 0

    done = change(first, "Kunming-Dianchi-7")
    assert (done.status_code, done["Location"]) == (302, "/")
    user.refresh_from_db()
    assert (user.must_change_password, user.password_changed_at) == (False, T0)
    assert user.check_password("Kunming-Dianchi-7")
    assert client.get("/").status_code == 200  # the session survives the change
    assert client.get(ME).json()["username"] == "li.na"
    assert events(SecurityEventKind.PASSWORD_CHANGE, user=user) == 1


# ---- 8. no superuser, one role per account (B1, B2) --------------------------------------------------------------


def test_no_superuser_at_database_level(personas):
    user = personas.city
    user.is_superuser = True
    with pytest.raises(IntegrityError, match="user_no_superuser"), transaction.atomic():
        user.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=personas.sysadmin.pk).update(is_superuser=True)


def test_one_admin_role_per_account(personas):
    city = OrgUnit.objects.get(code="530100")
    for actor in (personas.sysadmin, personas.auditadmin, personas.city):
        with pytest.raises(ValidationError) as refused:
            accounts.assign_role(personas.guandu, "audit_admin", org_unit=city, actor=actor)
        assert refused.value.code == "permission_denied"
    with pytest.raises(ValidationError) as own:
        accounts.assign_role(personas.secadmin, "system_admin", org_unit=city, actor=personas.secadmin)
    assert own.value.code == "self_role_change"
    assert User.objects.get(username="guandu").role == "county_official"
    assert User.objects.get(username="secadmin").role == "security_admin"

    TOTPDevice.objects.create(user=personas.sysadmin, name="old", confirmed=True)
    accounts.assign_role(personas.sysadmin, "audit_admin", org_unit=city, actor=personas.secadmin)
    changed = User.objects.get(username="sysadmin")
    assert changed.role == "audit_admin"  # the one role field replaced system_admin
    assert not TOTPDevice.objects.filter(user=changed).exists()  # a new administrator enrols afresh
    assert events(SecurityEventKind.ROLE_CHANGE, username="secadmin") == 1


def test_administrator_password_expires_after_the_policy_age(personas, login):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    admin = personas.secadmin
    admin.password_changed_at = timezone.now()
    admin.save(update_fields=["password_changed_at"])
    assert login(admin).get("/admin/users/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        response = login(admin).get("/admin/users/")
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"
        assert login(personas.city).get("/").status_code == 200


def test_token_of_an_account_forced_to_change_its_password_is_refused(personas, client):
    from chuncheng.core.api_auth import issue_token

    _token, key = issue_token(personas.wuhua)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    personas.wuhua.must_change_password = True
    personas.wuhua.save(update_fields=["must_change_password"])
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert (response.status_code, response.json()["code"]) == (401, "password_change_required")
