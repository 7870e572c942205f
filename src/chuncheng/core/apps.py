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

        register_importer(OrgUnitImporter)
        register_exporter("org-units", export_org_units)
