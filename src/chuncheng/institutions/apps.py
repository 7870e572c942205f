from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class InstitutionsConfig(AppConfig):
    name = "chuncheng.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource

        register_resource(
            "institution",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: frozenset({Action.VIEW}),
                Role.INSTITUTION_OPERATOR: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT}),
            },
        )
        register_resource(
            "facility",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: ALL_ACTIONS,
                Role.COMMUNITY_WORKER: READ_ACTIONS,
            },
        )
        register_resource(
            "resident",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: frozenset({Action.VIEW}),
                Role.INSTITUTION_OPERATOR: ALL_ACTIONS,
            },
        )
        register_resource(
            "staff",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.INSTITUTION_OPERATOR: ALL_ACTIONS,
            },
        )
        register_module("institutions:list", gettext_noop("Eldercare institutions"), "institution")

        from chuncheng.core.registry import register_exporter
        from chuncheng.institutions.exports import export_institutions

        register_exporter("institutions", export_institutions)
