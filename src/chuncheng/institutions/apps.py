from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class InstitutionsConfig(AppConfig):
    name = "chuncheng.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource

        # Records are never deleted (stays end, staff leave, facilities close), so no operator holds DELETE; an
        # operator keeps its own residents and staff (admit, discharge, hire, import, export), and only views and
        # edits the running details of its institution. Facilities belong to areas, not to institutions.
        operator_records = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT, Action.IMPORT})

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
                Role.INSTITUTION_OPERATOR: operator_records,
            },
        )
        register_resource(
            "staff",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.INSTITUTION_OPERATOR: operator_records,
            },
        )
        register_module(
            "institutions:list", gettext_noop("Eldercare institutions"), "institution", gettext_noop("Registry")
        )
        register_module(
            "facilities:list", gettext_noop("Community eldercare facilities"), "facility", gettext_noop("Registry")
        )
        register_module(
            "institutions:staff_statistics", gettext_noop("Eldercare workforce"), "staff", gettext_noop("Registry")
        )

        from chuncheng.core.registry import register_exporter, register_importer
        from chuncheng.institutions import exports
        from chuncheng.institutions.importers import IMPORTERS

        for importer in IMPORTERS:
            register_importer(importer)
        for kind in exports.KINDS:
            register_exporter(kind, exports.exporter(kind))
