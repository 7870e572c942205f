from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class BenefitsConfig(AppConfig):
    name = "chuncheng.benefits"
    label = "benefits"
    verbose_name = _("Subsidies and allowances")

    def ready(self) -> None:
        from chuncheng.core.roles import READ_ACTIONS, Action, Role, register_module, register_resource

        # Programmes and quotes are policy data every business role may read; eligibility of a beneficiary is read
        # through the beneficiary's own scope (institution, staff, elder), so an operator sees only its own.
        register_resource(
            "benefit",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: READ_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: READ_ACTIONS,
                Role.INSTITUTION_OPERATOR: frozenset({Action.VIEW}),
            },
        )
        # Payment batches cover the whole city: the city bureau runs (add), approves and locks (change) and exports
        # them; county officials review their own area's entitlements. Entitlements and ledger entries are scoped by
        # the beneficiary's org unit (another county: 404).
        register_resource(
            "benefit_batch",
            {
                Role.CITY_OFFICIAL: frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
                Role.COUNTY_OFFICIAL: frozenset({Action.VIEW}),
            },
        )
        # Adjustments (back pay, recovery) are ledger entries added by city and county officials, each for a
        # beneficiary of their own area (benefits/adjustments.py); township workers only view.
        register_resource(
            "benefit_entitlement",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS | {Action.ADD},
                Role.COUNTY_OFFICIAL: READ_ACTIONS | {Action.ADD},
                Role.TOWNSHIP_WORKER: frozenset({Action.VIEW}),
            },
        )
        # Applications (B1, B5): an institution's operator or an area user applies (add; change = edit a draft,
        # attach, submit); reviewers decide with change at their own level (the service checks the level and that
        # nobody decides their own work). Scoped by the applicant's org unit; operators see their institution's.
        register_resource(
            "benefit_application",
            {
                Role.CITY_OFFICIAL: frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
                Role.COUNTY_OFFICIAL: frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT}),
                Role.TOWNSHIP_WORKER: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
                Role.COMMUNITY_WORKER: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
                Role.INSTITUTION_OPERATOR: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
            },
        )
        register_module(
            "benefits:programmes", gettext_noop("Subsidies and allowances"), "benefit", gettext_noop("Benefits")
        )
        register_module("benefits:batches", gettext_noop("Payment batches"), "benefit_batch", gettext_noop("Benefits"))
        register_module(
            "benefits:simulate", gettext_noop("Budget simulation"), "benefit_batch", gettext_noop("Benefits")
        )
        register_module(
            "benefits:applications",
            gettext_noop("Subsidy applications"),
            "benefit_application",
            gettext_noop("Benefits"),
        )
