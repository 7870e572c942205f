from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class HomecareConfig(AppConfig):
    name = "chuncheng.homecare"
    label = "homecare"
    verbose_name = _("Home and community services")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource

        worker = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT})
        # City and county officials register providers; workers of an area read them.
        register_resource(
            "homecare_provider",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: READ_ACTIONS,
            },
        )
        # Community and township workers create orders and record the provider's steps until provider logins come.
        register_resource(
            "homecare_order",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: READ_ACTIONS,
                Role.TOWNSHIP_WORKER: worker,
                Role.COMMUNITY_WORKER: worker,
            },
        )
        # Visits are checked in and out by caregivers (accounts linked to a Caregiver) and workers.
        register_resource(
            "homecare_visit",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: frozenset({Action.VIEW, Action.EXPORT, Action.CHANGE}),
                Role.TOWNSHIP_WORKER: worker,
                Role.COMMUNITY_WORKER: worker,
            },
        )
        # Supervisors (county officials, township workers) review anomaly flags.
        register_resource(
            "homecare_flag",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: frozenset({Action.VIEW, Action.EXPORT, Action.CHANGE}),
                Role.TOWNSHIP_WORKER: frozenset({Action.VIEW, Action.EXPORT, Action.CHANGE}),
                Role.COMMUNITY_WORKER: READ_ACTIONS,
            },
        )
        group = gettext_noop("Home and community services")
        register_module("homecare:orders", gettext_noop("Service orders"), "homecare_order", group)
        register_module("homecare:visits", gettext_noop("Verified visits"), "homecare_visit", group)
        register_module("homecare:providers", gettext_noop("Service providers"), "homecare_provider", group)
        register_module("homecare:alerts", gettext_noop("Late and missed visits"), "homecare_flag", group)
        register_module("homecare:today", gettext_noop("My visits today"), "homecare_visit", group)
