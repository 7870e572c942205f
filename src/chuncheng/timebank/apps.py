from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class TimebankConfig(AppConfig):
    name = "chuncheng.timebank"
    label = "timebank"
    verbose_name = _("Time bank")

    def ready(self) -> None:
        from chuncheng.core.roles import READ_ACTIONS, Action, Role, register_module, register_resource

        # Community and township workers register volunteers, record and confirm services and withdraw hours;
        # officials read. Confirming a service (the deposit) is ``change``.
        workers = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT})
        register_resource(
            "timebank",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: READ_ACTIONS,
                Role.TOWNSHIP_WORKER: workers,
                Role.COMMUNITY_WORKER: workers,
            },
        )
        register_module(
            "timebank:volunteers", gettext_noop("Time bank"), "timebank", gettext_noop("Home and community services")
        )
