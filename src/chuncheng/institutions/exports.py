from __future__ import annotations

from pathlib import Path

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.registry import write_rows
from chuncheng.core.roles import Action
from chuncheng.institutions import queries
from chuncheng.institutions.models import Institution


def export_institutions(path: Path, *, org: str | None = None, unmasked: bool = False, actor=None) -> int:
    """The institutions file of data-exchange.md; scoped to the actor when one is named."""
    qs = Institution.objects.for_user(actor, Action.EXPORT) if actor is not None else Institution.objects.all()
    if org:
        qs = qs.filter(org_unit__code__startswith=org)
    count = write_rows(
        path, queries.EXPORT_COLUMNS, queries.export_rows(qs.select_related("org_unit"), unmasked=unmasked)
    )
    audit.security_event(SecurityEventKind.EXPORT, user=actor, data_kind="institutions", rows=count, unmasked=unmasked)
    return count
