"""Monitoring vocabularies: units, directions, value statuses, attainment, error codes."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    PER_1000 = "per_1000", _("Per 1,000")
    PER_100 = "per_100", _("Per 100")
    COUNT = "count", _("Count")
    PERSONS = "persons", _("Persons")
    YUAN = "yuan", _("Yuan")
    YEARS = "years", _("Years")
    ESTABLISHED = "established", _("Established (1 = yes)")


# How a ratio becomes a value in the indicator's unit (a share of 0.5902 is 59.02 percent).
UNIT_SCALE = {Unit.PERCENT: 100, Unit.PER_1000: 1000, Unit.PER_100: 100}


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class SourceKind(models.TextChoices):
    COMPUTED = "computed", _("Computed from records")
    REPORTED = "reported", _("Reported by the department")


class Theme(models.TextChoices):
    ELDERCARE = "eldercare", _("Eldercare")
    CHILDCARE = "childcare", _("Childcare")


class TargetLevel(models.TextChoices):
    ANY = "any", _("Every area")
    CITY = "city", _("City only")


class Comparison(models.TextChoices):
    GTE = "gte", "≥"
    GT = "gt", ">"
    LTE = "lte", "≤"
    LT = "lt", "<"


class ValueStatus(models.TextChoices):
    OK = "ok", _("Computed")
    NO_DATA_SOURCE = "no_data_source", _("No data source yet")
    NO_DENOMINATOR = "no_denominator", _("No denominator")
    AWAITING_REPORT = "awaiting_report", _("Awaiting a reported value")


class Attainment(models.TextChoices):
    ATTAINED = "attained", _("Attained")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_VALUE = "no_value", _("No value")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ErrorCode(StrEnum):
    BAD_CATALOGUE = "monitoring_bad_catalogue"
    BAD_DATE = "monitoring_bad_date"
    UNKNOWN_ORG = "monitoring_unknown_org"
