from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class EldersConfig(AppConfig):
    name = "chuncheng.elders"
    label = "elders"
    verbose_name = _("Elders")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, Action, Role, register_module, register_resource

        register_resource(
            "elder",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: ALL_ACTIONS,
                Role.COMMUNITY_WORKER: ALL_ACTIONS,
                Role.INSTITUTION_OPERATOR: frozenset({Action.VIEW}),
            },
        )
        register_module("elders:list", gettext_noop("Elders"), "elder", gettext_noop("Registry"))

        from chuncheng.core.registry import register_exporter, register_importer
        from chuncheng.elders.exports import export_elders
        from chuncheng.elders.importers import ElderImporter

        register_importer(ElderImporter)
        register_exporter("elders", export_elders)
