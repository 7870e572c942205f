"""The one shape of a service's refusal: a ``ValidationError`` with a stable English code and a Chinese (translated)
message, attached to a field when one is named. The API maps it to ``{"code", "message", "errors"}`` (api_base)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def refusal(field: str | None, code: str, message: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error
