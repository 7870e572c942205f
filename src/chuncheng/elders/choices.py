from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class CapabilityLevel(models.TextChoices):
    """GB/T 42195-2022 result levels (glossary: intact / mild / moderate / severe / total)."""

    INTACT = "intact", _("Capability intact")
    MILD = "mild", _("Mildly disabled")
    MODERATE = "moderate", _("Moderately disabled")
    SEVERE = "severe", _("Severely disabled")
    TOTAL = "total", _("Totally disabled")


class ElderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DECEASED = "deceased", _("Deceased")
    MOVED_AWAY = "moved_away", _("Moved away")


# The categories of data-exchange.md, in its order; each is a boolean column of Elder (set-based rules need columns).
class Category(models.TextChoices):
    TEKUN = "tekun", _("Extremely poor (特困)")
    DIBAO = "dibao", _("Minimum living allowance (低保)")
    DIBAO_EDGE = "dibao_edge", _("Near minimum living allowance (低保边缘)")
    LONELY = "lonely", _("No spouse or children (孤寡)")
    LIVING_ALONE = "living_alone", _("Living alone (独居)")
    EMPTY_NEST = "empty_nest", _("Empty nest (空巢)")
    SEVERE_DISABILITY = "severe_disability", _("Severe disability (重残)")
    DEMENTIA = "dementia", _("Dementia (失智)")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("Family-planning special family (计生特殊家庭)")
    LEFT_BEHIND = "left_behind", _("Left behind (留守)")


CATEGORY_ALIASES = {
    "特困": "tekun",
    "低保": "dibao",
    "低保边缘": "dibao_edge",
    "孤寡": "lonely",
    "独居": "living_alone",
    "空巢": "empty_nest",
    "重残": "severe_disability",
    "失智": "dementia",
    "计生特殊家庭": "family_planning_special",
    "计划生育特殊家庭": "family_planning_special",
    "留守": "left_behind",
}
CAPABILITY_ALIASES = {
    "能力完好": "intact",
    "轻度失能": "mild",
    "中度失能": "moderate",
    "重度失能": "severe",
    "完全失能": "total",
}


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Child-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NEIGHBOUR = "neighbour", _("Neighbour")
    OTHER = "other", _("Other")


# Ages (周岁) that define the registry and the advanced-age group (glossary: 老年人 60+, 高龄 80+).
ELDER_MIN_AGE = 60
ADVANCED_AGE = 80


class ErrorCode(StrEnum):
    """Stable English error codes of the elders registry (API ``code``, import reports, tests)."""

    ELDER_UNDER_60 = "elder_under_60"
    ELDER_DUPLICATE = "elder_duplicate"
    ELDER_OUT_OF_SCOPE = "elder_out_of_scope"
    ELDER_NOT_ACTIVE = "elder_not_active"
    ELDER_ONE_GUARDIAN = "elder_one_guardian"
    ORG_OUT_OF_SCOPE = "org_out_of_scope"
    ORG_UNIT_CLOSED = "org_unit_closed"
    UNKNOWN_ORG_UNIT = "unknown_org_unit"
    DATE_IN_FUTURE = "date_in_future"
    DATE_BEFORE_BIRTH = "date_before_birth"
    PURPOSE_REQUIRED = "purpose_required"
    PERMISSION_DENIED = "permission_denied"
    FIELD_NOT_EDITABLE = "field_not_editable"
    ID_NUMBER_IN_URL = "id_number_in_url"
    TOO_LONG = "too_long"
    COORDINATE_RANGE = "coordinate_range"
