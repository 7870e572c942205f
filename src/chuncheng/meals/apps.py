from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class MealsConfig(AppConfig):
    name = "chuncheng.meals"
    label = "meals"
    verbose_name = _("Meal assistance")

    def ready(self) -> None:
        from chuncheng.core.registry import register_importer
        from chuncheng.core.roles import ALL_ACTIONS, READ_ACTIONS, Action, Role, register_module, register_resource
        from chuncheng.meals.importers import MealRecordImporter

        # Sites (township, community workers) record and import meals; county officials also review flags.
        register_resource(
            "meal_record",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: frozenset({Action.VIEW, Action.EXPORT, Action.ADD, Action.CHANGE, Action.IMPORT}),
                Role.TOWNSHIP_WORKER: frozenset({Action.VIEW, Action.ADD, Action.IMPORT}),
                Role.COMMUNITY_WORKER: frozenset({Action.VIEW, Action.ADD}),
            },
        )
        # County (and city) officials settle a month (``add``); townships read the settlements.
        register_resource(
            "meal_settlement",
            {
                Role.CITY_OFFICIAL: ALL_ACTIONS,
                Role.COUNTY_OFFICIAL: ALL_ACTIONS,
                Role.TOWNSHIP_WORKER: READ_ACTIONS,
            },
        )
        register_resource(
            "food_check",
            {
                Role.CITY_OFFICIAL: READ_ACTIONS,
                Role.COUNTY_OFFICIAL: frozenset({Action.VIEW, Action.EXPORT, Action.ADD}),
                Role.TOWNSHIP_WORKER: frozenset({Action.VIEW, Action.ADD}),
                Role.COMMUNITY_WORKER: READ_ACTIONS,
            },
        )
        register_importer(MealRecordImporter)
        group = gettext_noop("Home and community services")
        register_module("meals:records", gettext_noop("Meal records"), "meal_record", group)
        register_module("meals:settlements", gettext_noop("Meal settlements"), "meal_settlement", group)
        register_module("meals:checks", gettext_noop("Food-safety checks"), "food_check", group)
