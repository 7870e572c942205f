"""Demo capability assessments (GB/T 42195-2022) for the demo city, built set-based after ``demo.city.build``.

One assessment agency per demo county with two assessor accounts each (demo staff: role ``assessor``, unusable
passwords, not login accounts), and a signed-off assessment for every resident of an institution plus 5% of the
elders living at home. The answers are generated per level so that ``scoring.score`` (the pure function, run for
every row and stored) gives the level the demo already set on the elder. Deterministic for the seed; idempotent.
The answers are stored encrypted like every assessment's (``assessment.health``; the nonce is random, the answers
are not).

The demo has no reviewer account of its own: the rows are signed off without ``reviewed_by`` and say so in the
review note; ``requested_by`` is the agency's first assessor account.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from chuncheng.assessment import scoring
from chuncheng.assessment.choices import AssessmentStatus, Channel, Qualification, Reason
from chuncheng.assessment.health import seal_answers
from chuncheng.assessment.models import Assessment, AssessmentAgency, Assessor
from chuncheng.assessment.services import add_months
from chuncheng.core import audit
from chuncheng.core.bulk import insert_rows
from chuncheng.core.models import AuditAction, OrgUnit, User
from chuncheng.core.roles import Role
from chuncheng.demo.city import COUNTY_WEIGHTS, _person_name
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Admission

DEMO_SUFFIX = "（演示）"
AT_HOME_SHARE = 0.05
DEMENTIA_SHARE = 0.10  # of the elders above "intact": a diagnosis raises the level one step (C.4 b)
ASSESSORS_PER_AGENCY = 2
REVIEW_NOTE = "演示数据：由演示建库脚本签发"


def already_built() -> bool:
    return AssessmentAgency.objects.filter(name__endswith=DEMO_SUFFIX).exists()


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def answers_for_level(rng: random.Random, level: str, standard: scoring.Standard | None = None) -> dict[str, Any]:
    """A plausible answer set whose final level (``scoring.score``) is ``level``: a total drawn from the level's
    band, points taken off random items; now and then a dementia diagnosis with a total one band better."""
    standard = standard or scoring.load_standard()
    levels = standard.levels
    target = next(lv for lv in levels if lv["code"] == level)
    dementia = target["index"] > 0 and rng.random() < DEMENTIA_SHARE
    band = levels[target["index"] - 1] if dementia else target
    total = rng.randint(band["min"], band["max"])
    answers: dict[str, Any] = {item["code"]: max(o["points"] for o in item["options"]) for item in standard.items}
    excess = standard.max_total - total
    while excess > 0:
        code = rng.choice([c for c, points in answers.items() if points > 0])
        cut = rng.randint(1, min(answers[code], excess))
        answers[code] -= cut
        excess -= cut
    answers.update(
        coma=False,
        diagnosis_dementia=dementia,
        diagnosis_psychiatric=False,
        risk_events_30d=rng.choice([0, 0, 0, 1]),
    )
    return answers


@transaction.atomic
def build_assessments(seed: int, today: date) -> int:
    """Create the demo agencies, assessors and signed-off assessments once; return how many assessments."""
    if already_built():
        return 0
    rng = random.Random(seed)
    standard = scoring.load_standard()
    counties = list(OrgUnit.objects.filter(level="county", code__in=COUNTY_WEIGHTS).order_by("code"))

    AssessmentAgency.objects.bulk_create(
        [
            AssessmentAgency(public_id=_uuid(rng), name=f"{c.name}老年人能力评估中心{DEMO_SUFFIX}", org_unit=c)
            for c in counties
        ]
    )
    agencies = list(AssessmentAgency.objects.filter(name__endswith=DEMO_SUFFIX).order_by("org_unit__code"))
    Through = AssessmentAgency.counties.through
    Through.objects.bulk_create([Through(assessmentagency_id=a.pk, orgunit_id=a.org_unit_id) for a in agencies])

    users = []
    for county in counties:
        for n in range(1, ASSESSORS_PER_AGENCY + 1):
            user = User(
                public_id=_uuid(rng),
                username=f"demo.assessor.{county.code}.{n}",
                role=Role.ASSESSOR,
                org_unit=county,
                must_change_password=True,
            )
            user.set_unusable_password()
            users.append(user)
    User.objects.bulk_create(users)
    user_ids = dict(User.objects.filter(username__startswith="demo.assessor.").values_list("username", "pk"))
    qualifications = [Qualification.NURSE, Qualification.DOCTOR]
    Assessor.objects.bulk_create(
        [
            Assessor(
                public_id=_uuid(rng),
                agency=agency,
                user_id=user_ids[f"demo.assessor.{county.code}.{n}"],
                name=_person_name(rng),
                qualification=qualifications[n - 1],
                certificate_no=f"DEMO-{county.code}-{n:02d}",
            )
            for agency, county in zip(agencies, counties, strict=True)
            for n in range(1, ASSESSORS_PER_AGENCY + 1)
        ]
    )
    team: dict[str, tuple[int, int, int, int]] = {}  # county code -> agency, assessor 1, assessor 2, requester
    for agency, county in zip(agencies, counties, strict=True):
        first, second = Assessor.objects.filter(agency=agency).order_by("certificate_no")
        team[county.code] = (agency.pk, first.pk, second.pk, first.user_id)

    residents = set(Admission.objects.filter(discharged_on__isnull=True).values_list("elder_id", flat=True))
    elders = [
        (pk, level, code[:6])
        for pk, level, code in Elder.objects.filter(status="active")
        .exclude(capability_level="")
        .order_by("id")
        .values_list("id", "capability_level", "org_unit__code")
        if code[:6] in team and (pk in residents or rng.random() < AT_HOME_SHARE)
    ]
    months = standard.reassessment_months
    now = timezone.now()

    def rows():
        for elder_id, level, county in elders:
            agency_id, first_id, second_id, requester_id = team[county]
            answers = answers_for_level(rng, level, standard)
            result = scoring.score(answers, standard)
            if result.final_level != level:  # the generator's contract; never stores an inconsistent row
                raise AssertionError(f"generated {result.final_level} for {level}")
            signed_on = today - timedelta(days=rng.randrange(1, 330))
            submitted = timezone.make_aware(datetime.combine(signed_on - timedelta(days=1), time(15, 0)))
            public_id = _uuid(rng)
            yield (
                public_id,
                elder_id,
                Reason.FIRST,
                Channel.COMMUNITY_WORKER,
                AssessmentStatus.SIGNED_OFF,
                agency_id,
                first_id,
                second_id,
                seal_answers(public_id, answers),
                json.dumps(result.dimension_scores),
                result.total,
                result.preliminary_level,
                json.dumps(result.adjustments),
                result.final_level,
                requester_id,
                submitted - timedelta(days=rng.randrange(3, 20)),
                submitted,
                None,
                REVIEW_NOTE,
                signed_on,
                add_months(signed_on, months),
                now,
            )

    columns = [
        "public_id",
        "elder_id",
        "reason",
        "channel",
        "status",
        "agency_id",
        "assessor_1_id",
        "assessor_2_id",
        "answers_enc",
        "dimension_scores",
        "total",
        "preliminary_level",
        "adjustments",
        "final_level",
        "requested_by_id",
        "requested_at",
        "submitted_at",
        "reviewed_by_id",
        "review_note",
        "signed_on",
        "valid_until",
        "updated_at",
    ]
    count = insert_rows(Assessment, columns, rows())
    audit.record_bulk(
        None,
        AuditAction.BULK_CREATE,
        Assessment,
        len(agencies) + len(users) * 2 + count,
        {
            "demo": "assessments",
            "seed": seed,
            "agencies": len(agencies),
            "assessors": len(users),
            "assessments": count,
        },
    )
    return count
