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


class FacilityKind(models.TextChoices):
    STREET_CENTER = "street_center", _("Street comprehensive eldercare centre (街道综合养老服务中心)")
    COMMUNITY_CENTER = "community_center", _("Community home-care centre (社区居家养老服务中心)")
    RURAL_CENTER = "rural_center", _("Rural home-care centre (农村居家养老服务中心)")
    RURAL_REGIONAL_CENTER = "rural_regional_center", _("Rural regional eldercare centre (农村区域性养老服务中心)")
    MUTUAL_AID_STATION = "mutual_aid_station", _("Mutual-aid station (互助养老服务站)")
    DAY_CARE = "day_care", _("Day-care centre (日间照料中心)")
    CANTEEN = "canteen", _("Elder canteen (老年幸福食堂)")
    MEAL_POINT = "meal_point", _("Meal point (助餐服务点)")
    SENIOR_UNIVERSITY = "senior_university", _("Senior university (老年大学)")


class OperatorKind(models.TextChoices):
    PUBLIC = "public", _("Public (公办)")
    PUBLIC_PRIVATE_OPERATED = "public_private_operated", _("Publicly built, privately operated (公建民营)")
    PRIVATE = "private", _("Private (民办)")


class FacilityStatus(models.TextChoices):
    ACTIVE = "active", _("In operation")
    CLOSED = "closed", _("Closed")


class BedKind(models.TextChoices):
    NURSING = "nursing", _("Nursing bed")
    GENERAL = "general", _("General bed")


class DischargeReason(models.TextChoices):
    """Why a stay ended (退住原因); a transfer sets ``transferred`` itself."""

    RETURNED_HOME = "returned_home", _("Returned home")
    TRANSFERRED = "transferred", _("Transferred to another institution")
    HOSPITAL = "hospital", _("Admitted to hospital")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class StaffRole(models.TextChoices):
    CAREGIVER = "caregiver", _("Caregiver (养老护理员)")
    SOCIAL_WORKER = "social_worker", _("Social worker (社会工作者)")
    NURSE = "nurse", _("Nurse")
    DOCTOR = "doctor", _("Doctor")
    MANAGER = "manager", _("Manager")
    OTHER = "other", _("Other")


class SkillGrade(models.TextChoices):
    JUNIOR = "junior", _("Junior (初级)")
    INTERMEDIATE = "intermediate", _("Intermediate (中级)")
    SENIOR = "senior", _("Senior (高级)")
    TECHNICIAN = "technician", _("Technician (技师)")
    SENIOR_TECHNICIAN = "senior_technician", _("Senior technician (高级技师)")


FACILITY_KIND_ALIASES = {
    "街道综合养老服务中心": "street_center",
    "社区居家养老服务中心": "community_center",
    "社区居家养老服务站": "community_center",
    "农村居家养老服务中心": "rural_center",
    "农村居家养老服务站": "rural_center",
    "农村区域性养老服务中心": "rural_regional_center",
    "互助养老服务站": "mutual_aid_station",
    "农村幸福院": "mutual_aid_station",
    "日间照料中心": "day_care",
    "老年幸福食堂": "canteen",
    "助餐服务点": "meal_point",
    "老年大学": "senior_university",
}
INSTITUTION_KIND_ALIASES = {
    "农村敬老院": "rural_tekun",
    "特困人员供养服务设施": "rural_tekun",
    "城市公办": "public",
    "城市公办养老机构": "public",
    "公建民营": "public_private_operated",
    "民办非营利": "private_nonprofit",
    "民办营利": "private_forprofit",
}
SKILL_GRADE_ALIASES = {
    "初级": "junior",
    "五级": "junior",
    "中级": "intermediate",
    "四级": "intermediate",
    "高级": "senior",
    "三级": "senior",
    "技师": "technician",
    "二级": "technician",
    "高级技师": "senior_technician",
    "一级": "senior_technician",
}
STAFF_ROLE_ALIASES = {
    "养老护理员": "caregiver",
    "护理员": "caregiver",
    "社会工作者": "social_worker",
    "社工": "social_worker",
    "护士": "nurse",
    "医生": "doctor",
    "管理人员": "manager",
    "其他": "other",
}
PROPERTY_ALIASES = {"自有": "owned", "租赁": "leased"}
OPERATOR_KIND_ALIASES = {"公办": "public", "公建民营": "public_private_operated", "民办": "private"}
BED_KIND_ALIASES = {
    "护理型": "nursing",
    "护理型床位": "nursing",
    "护理": "nursing",
    "普通": "general",
    "普通床位": "general",
}
