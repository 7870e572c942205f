from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class FamilybedsConfig(AppConfig):
    name = "chuncheng.familybeds"
    label = "familybeds"
    verbose_name = _("Family care beds")

    def ready(self) -> None:
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource

        worker = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT})
        # Beds are set up by community and township workers and county officials; the city reads them.
        register_resource(
            "familybed",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: worker,
                Role.COMMUNITY_WORKER: worker,
            },
        )
        group = gettext_noop("Home and community services")
        register_module("familybeds:list", gettext_noop("Family care beds"), "familybed", group)
