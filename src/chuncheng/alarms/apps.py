from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class AlarmsConfig(AppConfig):
    name = "chuncheng.alarms"
    label = "alarms"
    verbose_name = _("Alarms")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource

        # Area staff handle alarms (dispatch, acknowledge, close) and register devices; the city reads.
        handlers = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT})
        register_resource(
            "alarm",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: handlers,
                Role.TOWNSHIP_WORKER: handlers,
                Role.COMMUNITY_WORKER: handlers,
            },
        )
        # Device vendors are a city-wide register (no personal data): the city adds them, counties read.
        register_resource(
            "alarm_vendor",
            {Role.CITY_OFFICIAL: ALL_ACTIONS, Role.COUNTY_OFFICIAL: READ_ACTIONS, Role.SYSTEM_ADMIN: READ_ACTIONS},
        )
        register_module("alarms:list", gettext_noop("Alarms"), "alarm", gettext_noop("Home and community services"))
