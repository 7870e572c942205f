"""Derived facts about an elder for templates: ``{{ elder.birth_date|age }}``, ``{{ elder.birth_date|advanced_age }}``."""

from django import template

from chuncheng.elders import queries
from chuncheng.elders.choices import Category

register = template.Library()


@register.filter
def age(birth_date) -> int | str:
    return queries.age(birth_date) if birth_date else ""


@register.filter
def advanced_age(birth_date) -> bool:
    return bool(birth_date) and queries.is_advanced_age(birth_date)


@register.filter
def category_labels(elder) -> str:
    """The elder's categories as their labels, separated by "、"."""
    return "、".join(str(Category(c).label) for c in elder.categories)
