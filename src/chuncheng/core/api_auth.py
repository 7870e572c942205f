"""API authentication: hashed bearer tokens for other systems, the session for pages.

Administrators are refused on tokens (security-checklist A4): their second factor only exists on the session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from chuncheng.core.models import ApiToken
from chuncheng.core.roles import ADMIN_ROLES

TOKEN_LIFETIME = timedelta(days=30)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user, *, name: str = "") -> tuple[ApiToken, str]:
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_key(key),
        prefix=key[:8],
        name=name,
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    return token, key


class ScopedTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed token header."), code="token_malformed")
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed token header."), code="token_malformed") from exc
        token = ApiToken.objects.select_related("user", "user__org_unit").filter(key_hash=hash_key(key)).first()
        now = timezone.now()
        if token is None or token.revoked or (token.expires_at and token.expires_at <= now):
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."), code="token_invalid")
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."), code="token_invalid")
        if user.must_change_password:
            raise exceptions.AuthenticationFailed(
                _("You must change your password before continuing."), code="password_change_required"
            )
        if user.role in ADMIN_ROLES:
            raise exceptions.AuthenticationFailed(
                _("Administrators cannot use API tokens."), code="token_admin_refused"
            )
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (user, token)

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (with CSRF), under our name so settings stay in one module."""
