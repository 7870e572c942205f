"""Which importer and exporter serve each file kind. Domain apps register theirs in ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chuncheng.core.imports import Importer

IMPORTERS: dict[str, type[Importer]] = {}
EXPORTERS: dict[str, Callable[..., int]] = {}


class UnknownKind(SystemExit):
    pass


def register_importer(cls: type[Importer]) -> None:
    IMPORTERS[cls.kind] = cls


def register_exporter(kind: str, func: Callable[..., int]) -> None:
    EXPORTERS[kind] = func


def importer_for(kind: str, actor) -> Importer:
    try:
        return IMPORTERS[kind](actor)
    except KeyError as exc:
        raise UnknownKind(f"unknown kind {kind!r}; one of: {', '.join(sorted(IMPORTERS))}") from exc


def exporter_for(kind: str) -> Callable[..., int]:
    try:
        return EXPORTERS[kind]
    except KeyError as exc:
        raise UnknownKind(f"unknown kind {kind!r}; one of: {', '.join(sorted(EXPORTERS))}") from exc


def write_rows(path: Path, header: list[str], rows) -> int:
    """CSV or XLSX by the file's suffix."""
    from chuncheng.core.tabular import write_csv, write_xlsx

    if path.suffix.lower() == ".xlsx":
        return write_xlsx(path, header, rows)
    return write_csv(path, header, rows)


def export_org_units(path: Path, *, org: str | None = None, unmasked: bool = False, actor=None) -> int:
    from chuncheng.core.models import OrgUnit

    qs = OrgUnit.objects.for_user(actor) if actor is not None else OrgUnit.objects.all()
    if org:
        qs = qs.filter(code__startswith=org)
    header = ["code", "name", "level", "parent_code", "urban", "lat", "lng", "valid_from", "valid_to"]
    rows = (
        [
            u.code,
            u.name,
            u.level,
            u.parent.code if u.parent else "",
            int(u.urban),
            u.lat or "",
            u.lng or "",
            u.valid_from or "",
            u.valid_to or "",
        ]
        for u in qs.select_related("parent").order_by("code").iterator(chunk_size=2000)
    )
    return write_rows(path, header, rows)
