from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class AssessmentConfig(AppConfig):
    name = "chuncheng.assessment"
    label = "assessment"
    verbose_name = _("Capability assessment")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource

        # Officials run the process; township and community workers request; assessors fill (and may review the
        # work of colleagues). Which assessment an assessor may fill is a service rule (one of its two assessors).
        register_resource(
            "assessment",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: frozenset({Action.VIEW, Action.ADD, Action.EXPORT}),
                Role.COMMUNITY_WORKER: frozenset({Action.VIEW, Action.ADD, Action.EXPORT}),
                Role.ASSESSOR: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT}),
            },
        )
        register_resource(
            "assessment_agency",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: READ_ACTIONS,
                Role.ASSESSOR: frozenset({Action.VIEW}),
            },
        )
        register_module(
            "assessment:list", gettext_noop("Capability assessment"), "assessment", gettext_noop("Assessment and care")
        )
