"""Loading the policy pack (idempotent, overlap refused) and choosing the version in force by date and area."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from chuncheng.benefits.models import PolicyVersion, Programme
from chuncheng.benefits.policy import get_programme, load_policy, read_pack, version_in_force
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CODES = {
    "B1_bed_construction",
    "B2_operating",
    "B3_caregiver_post",
    "B4_graduate",
    "B5_centre_construction",
    "B5_centre_operation",
    "P1_longevity_allowance",
    "P2_service_subsidy_poor",
    "P3_disability_care_subsidy",
}


def test_every_parameter_has_a_value_and_a_source_and_placeholders_are_marked():
    for spec in read_pack():
        for version in spec["versions"]:
            for name, param in version["parameters"].items():
                assert "value" in param and param["source"], (spec["code"], name)
                if "UNVERIFIED" in param["source"]:
                    assert param.get("unverified") is True


def test_load_is_idempotent(policy):
    assert set(Programme.objects.values_list("code", flat=True)) == CODES
    versions = PolicyVersion.objects.count()
    audits = AuditEntry.objects.count()
    summary = load_policy()
    assert (summary.versions_created, summary.versions_updated) == (0, 0)
    assert PolicyVersion.objects.count() == versions
    assert AuditEntry.objects.count() == audits


def test_overlapping_versions_are_refused_and_nothing_written(db):
    pack = copy.deepcopy(read_pack())
    b2 = next(p for p in pack if p["code"] == "B2_operating")
    b2["versions"][0]["effective_to"] = "2022-12-31"  # now overlaps the 2022 version
    with pytest.raises(QuoteError) as caught:
        load_policy(pack)
    assert caught.value.code == "policy_version_overlap"
    assert not Programme.objects.exists()


def test_overlap_against_the_database_is_refused(policy):
    pack = copy.deepcopy(read_pack())
    b1 = next(p for p in pack if p["code"] == "B1_bed_construction")
    b1["versions"] = [b1["versions"][0] | {"label": "2024", "effective_from": "2024-01-01"}]
    with pytest.raises(QuoteError) as caught:
        load_policy(pack)
    assert caught.value.code == "policy_version_overlap"
    assert not PolicyVersion.objects.filter(label="2024").exists()


def test_b2_version_is_chosen_by_date(policy):
    b2 = get_programme("B2_operating")
    assert version_in_force(b2, date(2022, 11, 28)).label == "2018"
    assert version_in_force(b2, date(2022, 11, 29)).label == "2022"
    with pytest.raises(QuoteError) as caught:
        version_in_force(b2, date(2018, 12, 31))
    assert caught.value.code == "policy_not_in_force"


def test_area_versions_win_in_their_county_only(policy):
    b3 = get_programme("B3_caregiver_post")
    assert version_in_force(b3, date(2024, 1, 1), "530111").label == "2019-guandu"
    assert version_in_force(b3, date(2024, 1, 1), "530102").label == "2019-city"
    b5 = get_programme("B5_centre_operation")
    with pytest.raises(QuoteError):
        version_in_force(b5, date(2024, 1, 1), "530102")


def test_unknown_programme(policy):
    with pytest.raises(QuoteError) as caught:
        get_programme("B9_nothing")
    assert caught.value.code == "programme_unknown"
