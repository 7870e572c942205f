"""Demo institutions: a few per county so that scope is visible from the first run (issue 3 builds the full city)."""

from __future__ import annotations

import random

from chuncheng.core.models import OrgUnit
from chuncheng.core.validators import uscc_check_char
from chuncheng.institutions.choices import InstitutionKind, Property
from chuncheng.institutions.models import Institution

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def demo_uscc(rng: random.Random, region: str) -> str:
    """A syntactically valid USCC (GB 32100) for a private non-enterprise unit (52) in the given region."""
    body = "52" + region + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check_char(body)


def create_demo_institutions(seed: int = 2021, per_county: int = 2) -> list[Institution]:
    rng = random.Random(seed)
    made: list[Institution] = []
    kinds = [InstitutionKind.PRIVATE_NONPROFIT, InstitutionKind.PUBLIC, InstitutionKind.PRIVATE_FORPROFIT]
    for county in OrgUnit.objects.filter(level="county").order_by("code"):
        townships = list(OrgUnit.objects.filter(parent=county, level="township").order_by("code"))
        for n in range(per_county):
            township = townships[n % len(townships)]
            approved = rng.randrange(40, 300)
            nursing = int(approved * rng.uniform(0.3, 0.7))
            kind = kinds[n % len(kinds)]
            institution, _created = Institution.objects.get_or_create(
                name=f"{township.name}第{n + 1}养老院",
                org_unit=township,
                defaults=dict(
                    uscc=demo_uscc(rng, county.code),
                    kind=kind,
                    government_operated=kind == InstitutionKind.PUBLIC,
                    property=Property.OWNED,
                    approved_beds=approved,
                    nursing_beds=nursing,
                    safety_net_beds=int(approved * 0.3),
                    puhui_beds=int(approved * 0.4),
                    is_nursing_type=nursing * 2 > approved,
                ),
            )
            made.append(institution)
    return made
