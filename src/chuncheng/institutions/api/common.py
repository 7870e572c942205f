"""What the registry's viewsets share: the action → permission mapping and the logged, masked export."""

from __future__ import annotations

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.roles import Action
from chuncheng.institutions import exports

ACTIONS = {
    "create": Action.ADD,
    "update": Action.CHANGE,
    "partial_update": Action.CHANGE,
    "export": Action.EXPORT,
}


class ScopedActions:
    """``self.scope_action``: the permission a viewset action needs (``change_actions`` adds the custom ones)."""

    change_actions: tuple[str, ...] = ()

    @property
    def scope_action(self) -> str:
        if self.action in self.change_actions:
            return Action.CHANGE
        return ACTIONS.get(self.action, Action.VIEW)


def export_download(request, kind: str, qs):
    audit.security_event(
        SecurityEventKind.EXPORT, user=request.user, path=request.path, data_kind=kind, rows=qs.count()
    )
    return exports.export_response(kind, qs, request.query_params.get("format", "csv"))
