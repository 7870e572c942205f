from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class MonitoringConfig(AppConfig):
    name = "chuncheng.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from chuncheng.core.roles import READ_ACTIONS, Action, Role, register_module, register_resource

        # City, county and township users read their area's indicators (the smallest area with indicators is the
        # township); community workers, operators and the three administrators see none.
        register_resource(
            "monitoring",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: READ_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
            },
        )
        register_module("monitoring:area", gettext_noop("Indicators"), "monitoring", gettext_noop("Monitoring"))
        # Reported indicators (item 3): city and county officials report for their area (add) and review values made
        # by another user at the same level or lower (change); township workers read their township's values.
        register_resource(
            "monitoring_report",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS | {Action.ADD, Action.CHANGE},
                Role.COUNTY_OFFICIAL: READ_ACTIONS | {Action.ADD, Action.CHANGE},
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
            },
        )
        register_module(
            "monitoring:reported", gettext_noop("Reported indicators"), "monitoring_report", gettext_noop("Monitoring")
        )
        register_module("monitoring:bulletin", gettext_noop("Bulletin"), "monitoring", gettext_noop("Monitoring"))
