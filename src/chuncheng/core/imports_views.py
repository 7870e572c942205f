"""Pages of the data exchange: the import front door (upload, template per kind, import log) and the population
figures (list with totals per year and export, the form for one figure).

Thin: the pipeline (``core.imports``) and the services (``core.population``) hold the rules. The first section is
shared with the API (``core.imports_api``) and the navigation.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chuncheng.core import audit, population
from chuncheng.core.imports import Importer, ImportResult, run_import
from chuncheng.core.models import ImportLog, OrgUnit, Population, SecurityEventKind
from chuncheng.core.registry import IMPORTERS
from chuncheng.core.roles import Action, Level, Role
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.tabular import FileRefused, write_csv, write_xlsx
from chuncheng.core.views import form_errors, history_for, require_permission

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Problems listed on the result page and in its error report; the API and the command line give them all.
REPORT_LIMIT = 3000
# Roles that read every run of the import log; everyone else reads their own.
LOG_READERS_ALL = frozenset({Role.CITY_OFFICIAL, Role.SYSTEM_ADMIN})
PER_PAGE = 50

# ---- shared with the API and the navigation -----------------------------------------------------------------


def kind_label(importer: type[Importer]) -> str:
    """A kind's name for people: the importer's ``label``, else its model's plural name."""
    label = getattr(importer, "label", None) or importer.model._meta.verbose_name_plural
    return str(label)


def importable_kinds(user) -> list[tuple[str, type[Importer]]]:
    """The registered kinds this user may import, by kind."""
    return [
        (kind, importer)
        for kind, importer in sorted(IMPORTERS.items())
        if permitted(user, importer.resource, Action.IMPORT)
    ]


def check_upload(importer: Importer, size: int | None, max_bytes: int) -> None:
    """Refuse an upload before anything reads it: the act itself (``PermissionDenied``), then its declared size
    (``FileRefused`` ``file_too_large``). ``run_import`` checks both again on the file itself."""
    if importer.actor is not None and not permitted(importer.actor, importer.resource, Action.IMPORT):
        raise PermissionDenied(_("You are not allowed to import this kind of file."))
    if size is not None and size > max_bytes:
        raise FileRefused("file_too_large", _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20})


def run_upload(importer: Importer, upload, *, partial: bool, dry_run: bool) -> ImportResult:
    """Import an uploaded file (Django streams uploads over 5 MB to a temporary file: the file object is passed
    through, never read into memory)."""
    max_bytes = settings.MAX_UPLOAD_BYTES
    check_upload(importer, upload.size, max_bytes)
    return run_import(importer, upload.file, upload.name, partial=partial, dry_run=dry_run, max_bytes=max_bytes)


def import_log_for(user, params) -> QuerySet:
    """Runs of the import log the user may read: their own; city officials and the system administrator all."""
    qs = ImportLog.objects.all() if user.role in LOG_READERS_ALL else ImportLog.objects.filter(user=user)
    kind = (params.get("kind") or "").strip()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-at", "-id")


def template_response(importer: type[Importer], fmt: str) -> HttpResponse:
    """An empty file of the kind: the Chinese header labels in the first row (UTF-8 with BOM, or XLSX)."""
    header = [c.label for c in importer.columns]
    name = f"{importer.kind}-template.{fmt}"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, header, [], title=importer.kind)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        text = io.StringIO()
        write_csv(text, header, [])
        response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def error_report(importer: type[Importer], result: ImportResult) -> bytes:
    """The result's problems as a CSV (UTF-8 with BOM, for Excel): row, column, header label, value, message, code."""
    labels = {c.key: c.label for c in importer.columns}
    text = io.StringIO()
    write_csv(
        text,
        [_("Row"), _("Column"), _("Header"), _("Value"), _("Problem"), _("Code")],
        ([e.row, e.column, labels.get(e.column, ""), e.value, e.message, e.code] for e in result.errors[:REPORT_LIMIT]),
    )
    return text.getvalue().encode("utf-8-sig")


def paged(request, qs, per_page: int = PER_PAGE) -> tuple[Page, str]:
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


# ---- the import front door ----------------------------------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of data"))
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"), allow_empty_file=True)
    partial = forms.BooleanField(
        label=gettext_lazy("Import the valid rows even if some rows are invalid"), required=False
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Check only (dry run): write nothing"), required=False)

    def __init__(self, *args, kinds: list[tuple[str, type[Importer]]], **kwargs):
        super().__init__(*args, **kwargs)
        # Any registered kind passes the form; the pipeline refuses (403) one the user may not import.
        self.fields["kind"].choices = [(k, k) for k in sorted(IMPORTERS)]
        self.fields["kind"].widget.choices = [(k, f"{kind_label(cls)}（{k}）") for k, cls in kinds]
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs["class"] = "form-select" if name == "kind" else css
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


def _kinds_context(kinds: list[tuple[str, type[Importer]]]) -> list[dict[str, Any]]:
    return [{"kind": k, "label": kind_label(cls), "columns": cls.columns} for k, cls in kinds]


@login_required
@require_http_methods(["GET", "POST"])
def upload_view(request):
    """Choose a kind and a file; see the counts and every problem, with the problems as a CSV download."""
    kinds = importable_kinds(request.user)
    if not kinds and request.method == "GET":
        # Nothing to import: the page is not there for this user (a POST still reaches the pipeline's 403).
        audit.security_event(SecurityEventKind.ACCESS_DENIED, user=request.user, path=request.path, action="import")
        raise Http404
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in dict(kinds) else None
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, initial=initial)
    context: dict[str, Any] = {
        "form": form,
        "kinds": _kinds_context(kinds),
        "limit_mb": settings.MAX_UPLOAD_BYTES // 2**20,
    }
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        importer = IMPORTERS[data["kind"]](request.user)
        try:
            result = run_upload(importer, data["file"], partial=data["partial"], dry_run=data["dry_run"])
        except PermissionDenied as exc:
            audit.security_event(
                SecurityEventKind.ACCESS_DENIED, user=request.user, path=request.path, data_kind=data["kind"]
            )
            context["denied"] = str(exc)
            status = 403
        except FileRefused as exc:
            form.add_error("file", exc.message)
            status = 413
        else:
            context.update(_result_context(type(importer), result))
    return render(request, "core/imports/upload.html", context, status=status)


def _result_context(importer: type[Importer], result: ImportResult) -> dict[str, Any]:
    labels = {c.key: c.label for c in importer.columns}
    context: dict[str, Any] = {
        "result": result,
        "kind_label": kind_label(importer),
        "errors": [(e, labels.get(e.column, "")) for e in result.errors[:REPORT_LIMIT]],
        "errors_cut": len(result.errors) > REPORT_LIMIT,
        "report_limit": REPORT_LIMIT,
    }
    if result.errors:
        # Built into this response, never stored and never in a server URL: the values may be personal data.
        encoded = base64.b64encode(error_report(importer, result)).decode()
        context["report_href"] = f"data:text/csv;charset=utf-8;base64,{encoded}"
        context["report_name"] = f"{importer.kind}-errors.csv"
    return context


@login_required
def template_view(request, kind: str, fmt: str):
    """The empty file of a kind, with its Chinese header labels (for those who may import it)."""
    importer = IMPORTERS.get(kind)
    if importer is None or fmt not in ("csv", "xlsx"):
        raise Http404
    require_permission(request, importer.resource, Action.IMPORT)
    return template_response(importer, fmt)


@login_required
def import_log_view(request):
    page, params = paged(request, import_log_for(request.user, request.GET))
    return render(
        request,
        "core/imports/log.html",
        {"page": page, "params": params, "kinds": sorted(IMPORTERS), "sees_all": request.user.role in LOG_READERS_ALL},
    )


# ---- population ----------------------------------------------------------------------------------------------


class PopulationForm(forms.Form):
    org_unit = forms.CharField(label=gettext_lazy("Org unit code"), max_length=12)
    year = forms.IntegerField(label=gettext_lazy("Year"))
    population_total = forms.IntegerField(label=gettext_lazy("resident population"))
    population_60plus = forms.IntegerField(label=gettext_lazy("population aged 60+"))
    population_65plus = forms.IntegerField(label=gettext_lazy("population aged 65+"), required=False)
    infants_0_3 = forms.IntegerField(label=gettext_lazy("infants aged 0-3"), required=False)
    households = forms.IntegerField(label=gettext_lazy("households"), required=False)

    def __init__(self, *args, record: Population | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None:
            # The unit and the year name the figure; only its numbers change here.
            del self.fields["org_unit"]
            del self.fields["year"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean_org_unit(self):
        unit = OrgUnit.objects.filter(code=self.cleaned_data["org_unit"].strip()).first()
        if unit is None:
            raise forms.ValidationError(_("No org unit has this code."), code="unknown_org_unit")
        return unit


@login_required
def population_list_view(request):
    require_permission(request, population.RESOURCE)
    qs = population.population_list(request.user, request.GET)
    page, params = paged(request, qs)
    return render(
        request,
        "core/population/list.html",
        {
            "page": page,
            "params": params,
            "totals": population.totals_by_year(qs),
            "years": population.years_in_scope(request.user),
            "levels": Level.choices,
            "can_add": permitted(request.user, population.RESOURCE, Action.ADD),
            "can_change": permitted(request.user, population.RESOURCE, Action.CHANGE),
            "can_export": permitted(request.user, population.RESOURCE, Action.EXPORT),
            "can_import": permitted(request.user, population.RESOURCE, Action.IMPORT),
        },
    )


@login_required
def population_export_view(request):
    require_permission(request, population.RESOURCE, Action.EXPORT)
    qs = population.population_list(request.user, request.GET, Action.EXPORT)
    return export_download(request, qs)


def export_download(request, qs) -> HttpResponse:
    """The listed figures as the population file (CSV or XLSX by ``format``), logged with its row count."""
    fmt = (request.GET.get("format") or request.GET.get("fmt") or "csv").lower()
    audit.security_event(
        SecurityEventKind.EXPORT, user=request.user, path=request.path, data_kind=population.KIND, rows=qs.count()
    )
    rows = population.export_rows(qs)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, population.EXPORT_COLUMNS, rows, title=population.KIND)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        text = io.StringIO()
        write_csv(text, population.EXPORT_COLUMNS, rows)
        response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="population.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def population_edit_view(request, code: str | None = None, year: int | None = None):
    """Add a figure (``code`` None) or change one: the unit and year come from the URL, the figures from the form."""
    if code is None:
        require_permission(request, population.RESOURCE, Action.ADD)
        record = None
        initial = {k: request.GET.get(k) for k in ("org_unit", "year") if request.GET.get(k)}
    else:
        record = get_for_user(
            Population.objects.select_related("org_unit"), request.user, Action.CHANGE, org_unit__code=code, year=year
        )
        initial = {k: getattr(record, k) for k in population.FIGURES}
    form = PopulationForm(request.POST or None, record=record, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = record.org_unit if record is not None else data["org_unit"]
        year = record.year if record is not None else data["year"]
        try:
            population.set_population(unit, year, {k: data.get(k) for k in population.FIGURES}, actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('core:population_list')}?{urlencode({'org': unit.code, 'year': year})}")
    history = history_for("core.population", str(record.pk)) if record is not None else []
    return render(request, "core/population/form.html", {"form": form, "record": record, "history": history})
