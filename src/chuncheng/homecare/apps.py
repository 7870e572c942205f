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
        # Provider accounts (scoped to their provider by ``scope_provider_field``): the provider operator reads its
        # provider, orders, visits, flags, alerts and settlements and takes the provider's steps (accept, decline,
        # assign: ``change`` on orders); the caregiver (scoped further to its own Caregiver record) reads its orders
        # and visits, checks in (``add`` on orders and visits: a visit is added to the order) and out (``change`` on
        # visits). Neither creates nor cancels orders (``services.create_order`` / ``cancel_order`` refuse them).
        operator_orders = frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT})
        caregiver_orders = frozenset({Action.VIEW, Action.ADD})
        caregiver_visits = frozenset({Action.VIEW, Action.ADD, Action.CHANGE})
        # City and county officials register providers; workers of an area read them.
        register_resource(
            "homecare_provider",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: READ_ACTIONS,
                Role.PROVIDER_OPERATOR: frozenset({Action.VIEW}),
            },
        )
        # Community and township workers create orders; the provider operator accepts, declines and assigns (workers
        # may still record those steps on the provider's behalf, e.g. for a provider without a login).
        register_resource(
            "homecare_order",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: READ_ACTIONS,
                Role.TOWNSHIP_WORKER: worker,
                Role.COMMUNITY_WORKER: worker,
                Role.PROVIDER_OPERATOR: operator_orders,
                Role.CAREGIVER: caregiver_orders,
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
                Role.PROVIDER_OPERATOR: READ_ACTIONS,
                Role.CAREGIVER: caregiver_visits,
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
                Role.PROVIDER_OPERATOR: READ_ACTIONS,
            },
        )
        # Monthly provider settlements: a county or city official makes them (``add``) and another approves them
        # (``change``, maker-checker); townships and the provider itself read them.
        register_resource(
            "homecare_settlement",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.PROVIDER_OPERATOR: READ_ACTIONS,
            },
        )
        group = gettext_noop("Home and community services")
        portal = gettext_noop("Provider portal")
        staff = frozenset(Role.values) - {Role.PROVIDER_OPERATOR, Role.CAREGIVER}
        register_module("homecare:orders", gettext_noop("Service orders"), "homecare_order", group)
        register_module("homecare:visits", gettext_noop("Verified visits"), "homecare_visit", group)
        register_module("homecare:providers", gettext_noop("Service providers"), "homecare_provider", group)
        register_module("homecare:alerts", gettext_noop("Late and missed visits"), "homecare_flag", group)
        register_module(
            "homecare:today", gettext_noop("My visits today"), "homecare_visit", group, roles=staff | {Role.CAREGIVER}
        )
        register_module("homecare:settlements", gettext_noop("Provider settlements"), "homecare_settlement", group)
        # The provider portal: provider accounts see only these entries (core.roles.permitted_modules).
        only_operator = {Role.PROVIDER_OPERATOR}
        register_module("homecare:provider_home", gettext_noop("Orders"), "homecare_order", portal, roles=only_operator)
        register_module(
            "homecare:provider_schedule", gettext_noop("Schedule"), "homecare_order", portal, roles=only_operator
        )
        register_module(
            "homecare:provider_flags", gettext_noop("Visit flags"), "homecare_flag", portal, roles=only_operator
        )
        register_module(
            "homecare:provider_settlements",
            gettext_noop("Settlements"),
            "homecare_settlement",
            portal,
            roles=only_operator,
        )
