"""The indicator catalogue: every indicator of kunming-policy.md §3, loaded as a version, idempotently."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuncheng.monitoring import services
from chuncheng.monitoring.models import CatalogueVersion, Indicator, Target

pytestmark = pytest.mark.django_db

# kunming-policy.md §3, both tables, in order.
POLICY_KEYS = [
    "basic_pension_coverage",
    "basic_medical_coverage",
    "ltc_insurance_enrolled",
    "tekun_disabled_concentrated",
    "tekun_willing_concentrated",
    "street_center_coverage",
    "new_residential_facility_compliance",
    "beds_per_1000_elders",
    "nursing_bed_share",
    "safety_net_and_puhui_bed_share",
    "government_operated_bed_share",
    "elder_health_management_rate",
    "special_difficulty_monthly_visit_rate",
    "life_expectancy",
    "eldercare_industry_revenue",
    "lottery_fund_share_eldercare",
    "caregivers_trained",
    "social_workers_per_1000_elders",
    "social_workers_per_100_beds",
    "senior_university_per_county",
    "senior_university_branch_townships",
    "senior_learning_point_villages",
    "elders_in_education",
    "elder_volunteer_share",
    "model_age_friendly_communities",
    "rural_homecare_center_coverage",
    "day_care_coverage",
    "family_care_beds",
    "medical_integration_coverage",
    "medical_integrated_per_county",
    "geriatrics_department_rate",
    "tcm_rehab_department_rate",
    "new_canteens_per_year",
    "rural_regional_centers_per_county",
    "basic_service_list",
    "capability_assessment_system",
    "assistive_device_rental",
    "community_facility_coverage",
    "beds_per_1000_elders_private",
    "puhui_childcare_per_township",
    "new_residential_childcare_compliance",
    "childcare_slots_per_1000",
    "puhui_slot_share",
    "street_childcare_coverage",
    "childcare_network_coverage",
    "childcare_professionals",
    "childcare_certified_share",
    "child_social_workers",
    "early_development_awareness",
    "parenting_guidance_rate",
    "infant_health_management_rate",
]


def test_every_policy_indicator_is_in_the_file_with_its_fields():
    doc = json.loads(services.PACK.read_text(encoding="utf-8"))
    keys = [i["key"] for i in doc["indicators"] if not i.get("supplementary")]
    assert keys == POLICY_KEYS
    for entry in doc["indicators"]:
        assert entry["name_zh"] and entry["numerator"] and entry["denominator"] and entry["department"]
        for target in entry["targets"].values():
            assert target["source"]


def test_load_is_versioned_and_idempotent(db):
    first = services.load_catalogue()
    assert first == {"version": "2025.1", "created": True, "indicators": len(POLICY_KEYS) + 2}
    assert services.load_catalogue()["created"] is False
    assert CatalogueVersion.objects.count() == 1
    nursing = Indicator.objects.get(key="nursing_bed_share")
    targets = {t.target_set.code: (t.value, t.comparison) for t in nursing.targets.all()}
    # Where the plans disagree, every set keeps its own target.
    assert targets == {"S": (Decimal(60), "gte"), "P": (Decimal(55), "gte"), "O": (Decimal(40), "gte")}
    assert Target.objects.get(indicator__key="government_operated_bed_share").comparison == "lte"
    assert Target.objects.filter(indicator__key="family_care_beds").count() == 2


def test_same_version_with_other_content_is_refused(db, tmp_path):
    services.load_catalogue()
    doc = json.loads(services.PACK.read_text(encoding="utf-8"))
    doc["indicators"][0]["name_zh"] = "改过"
    path = tmp_path / "indicators.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        services.load_catalogue(path=path)
    assert exc.value.error_list[0].code == "monitoring_bad_catalogue"
    doc["version"] = "2025.2"
    doc["effective_from"] = "2026-01-01"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert services.load_catalogue(path=path)["created"] is True
    assert services.current_catalogue(__import__("datetime").date(2025, 6, 30)).version == "2025.1"
    assert services.current_catalogue(__import__("datetime").date(2026, 6, 30)).version == "2025.2"
