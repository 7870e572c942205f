from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    RURAL_TEKUN = "rural_tekun", _("Rural home for the extremely poor (农村敬老院)")
    PUBLIC = "public", _("City public welfare institution (城市公办)")
    PUBLIC_PRIVATE_OPERATED = "public_private_operated", _("Publicly built, privately operated (公建民营)")
    PRIVATE_NONPROFIT = "private_nonprofit", _("Private non-profit (民办非营利)")
    PRIVATE_FORPROFIT = "private_forprofit", _("Private for-profit (民办营利)")


GOVERNMENT_OPERATED_KINDS = frozenset({InstitutionKind.RURAL_TEKUN, InstitutionKind.PUBLIC})


class Property(models.TextChoices):
    OWNED = "owned", _("Owned (自有)")
    LEASED = "leased", _("Leased (租赁)")


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", _("In operation")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")
