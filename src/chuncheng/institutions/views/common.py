"""What the registry's pages share: paging with the filters kept, and logged exports."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.views import form_errors
from chuncheng.institutions import exports

PER_PAGE = 50


def paged(request, qs, per_page: int = PER_PAGE) -> tuple[Page, str]:
    """The requested page of ``qs`` and the query string without ``page`` (for the pager and export links)."""
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def export_download(request, kind: str, qs):
    """A CSV/XLSX download (masked), recorded as a security event with its row count."""
    audit.security_event(
        SecurityEventKind.EXPORT, user=request.user, path=request.path, data_kind=kind, rows=qs.count()
    )
    return exports.export_response(kind, qs, request.GET.get("format", "csv"))


def service_errors(form, exc: ValidationError, renames: dict[str, str] | None = None) -> None:
    """Show a service's errors on the form, under the form's own field names where they differ."""
    if renames and hasattr(exc, "error_dict"):
        exc = ValidationError({renames.get(k, k): v for k, v in exc.error_dict.items()})
    form_errors(form, exc)
