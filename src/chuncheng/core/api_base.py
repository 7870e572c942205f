"""Shared API pieces: the error shape (stable English code + Chinese message), pagination, scoped viewsets."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, renderers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, field: str | None = None) -> list[dict]:
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.extend(_flatten(value, key if field is None or key == "non_field_errors" else f"{field}.{key}"))
    elif isinstance(detail, list):
        for item in detail:
            out.extend(_flatten(item, field))
    else:
        code = getattr(detail, "code", None) or "invalid"
        out.append({"field": field or "non_field_errors", "code": code, "message": str(detail)})
    return out


def django_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {
                "field": "non_field_errors" if field == "__all__" else field,
                "code": e.code or "invalid",
                "message": " ".join(e.messages),
            }
            for field, errs in exc.error_dict.items()
            for e in errs
        ]
    return [
        {"field": "non_field_errors", "code": e.code or "invalid", "message": " ".join(e.messages)}
        for e in exc.error_list
    ]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = django_errors(exc)
        if {e["code"] for e in errors} == {"permission_denied"}:
            # A service refusing the act itself (the role may not do it), not the input: 403, not 422.
            return Response(
                {"code": "permission_denied", "message": errors[0]["message"]}, status=status.HTTP_403_FORBIDDEN
            )
        return Response(
            {
                "code": errors[0]["code"] if len(errors) == 1 else "validation_error",
                "message": _("The input is not valid."),
                "errors": errors,
            },
            status=422,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return Response(
            {
                "code": errors[0]["code"] if len(errors) == 1 else "validation_error",
                "message": _("The input is not valid."),
                "errors": errors,
            },
            status=422,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    codes = {
        status.HTTP_401_UNAUTHORIZED: ("not_authenticated", _("Please log in first.")),
        status.HTTP_403_FORBIDDEN: ("permission_denied", _("You are not allowed to do this.")),
        status.HTTP_404_NOT_FOUND: ("not_found", _("Not found.")),
        status.HTTP_405_METHOD_NOT_ALLOWED: ("method_not_allowed", _("This method is not allowed here.")),
        status.HTTP_429_TOO_MANY_REQUESTS: ("throttled", _("Too many requests; please wait and try again.")),
    }
    default_code, default_message = codes.get(response.status_code, ("error", _("The request failed.")))
    code = getattr(exc, "default_code", default_code)
    detail_codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    if isinstance(detail_codes, str) and detail_codes not in {
        "authentication_failed",
        "not_authenticated",
        "permission_denied",
        "not_found",
        "throttled",
    }:
        code = detail_codes
        message = str(exc.detail)
    else:
        code = (
            default_code
            if code
            in {"authentication_failed", "not_authenticated", "permission_denied", "not_found", "throttled", "error"}
            else code
        )
        message = default_message
    response.data = {"code": code, "message": message}
    return response


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class FileRenderer(renderers.BaseRenderer):
    """Lets ``?format=csv|xlsx`` through DRF's content negotiation (``format`` is its renderer override; without a
    renderer of that name the request is a 404). The export returns its own file response; errors render as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, ensure_ascii=False).encode() if data is not None else b""


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


# Export actions use these so that ``?format=csv|xlsx`` reaches the view instead of a 404.
FILE_RENDERERS = [renderers.JSONRenderer, CsvRenderer, XlsxRenderer]
