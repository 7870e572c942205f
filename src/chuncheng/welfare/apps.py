from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class WelfareConfig(AppConfig):
    name = "chuncheng.welfare"
    label = "welfare"
    verbose_name = _("Welfare")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource

        # Community and township workers record visits; officials view and export.
        register_resource(
            "welfare_visit",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: READ_ACTIONS,
                Role.TOWNSHIP_WORKER: frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
                Role.COMMUNITY_WORKER: frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
            },
        )
        # City and county officials publish lists (``change``); everyone in an area reads them.
        register_resource(
            "service_list",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: READ_ACTIONS,
            },
        )
        register_module(
            "welfare:visits", gettext_noop("Welfare visits"), "welfare_visit", gettext_noop("Assessment and care")
        )
        register_module(
            "welfare:lists", gettext_noop("Basic service list"), "service_list", gettext_noop("Assessment and care")
        )
