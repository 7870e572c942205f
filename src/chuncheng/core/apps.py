from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chuncheng.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from chuncheng.core import checks, signals  # noqa: F401  (registers system checks and auth signals)
        from chuncheng.core.orgunits import OrgUnitImporter
        from chuncheng.core.registry import export_org_units, register_exporter, register_importer
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Role, register_resource

        register_importer(OrgUnitImporter)
        register_resource(
            "population",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
                Role.COMMUNITY_WORKER: READ_ACTIONS,
            },
        )
        register_exporter("org-units", export_org_units)

        from django.utils.translation import gettext_noop

        from chuncheng.core.population import PopulationImporter, export_population
        from chuncheng.core.roles import register_module

        register_importer(PopulationImporter)
        register_exporter("population", export_population)
        register_module("core:population_list", gettext_noop("Population"), "population", gettext_noop("Registry"))
