"""The synthetic Kunming: a deterministic demo city on the real org tree that reproduces the 2021 baseline.

Baseline (shared/reference/kunming-policy.md §2, from 002 §一(一) and 004): 125 institutions = 31 rural 敬老院 + 14 city
public + 80 social; ~28,900 approved beds, 47.33% nursing, 32.3% safety-net; 45 medical-integrated institutions with
15,446 beds; 388 home-care centres, 976 mutual-aid stations, 188 canteens; 2,300 staff of whom 1,887 caregivers;
population 8.46 M with 1,218,200 aged 60+ (7th census, 002 §一(二)).

``small`` keeps every institution, facility, staff member and population figure (so the indicators match the
baseline) and samples 1 elder in 200; ``city`` registers all 1,218,200 elders and fills beds to about 60%.
Synthetic ID numbers use the region prefix 5399xx, which no real place has, and pass the GB 11643 check digit.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from chuncheng.core import audit
from chuncheng.core.bulk import insert_rows
from chuncheng.core.cipher import blind_index, get_cipher, get_key_provider
from chuncheng.core.masking import mask_id_number, mask_phone
from chuncheng.core.models import AuditAction, OrgUnit, Population
from chuncheng.core.validators import id_number_check_char, uscc_check_char
from chuncheng.elders.choices import Category
from chuncheng.elders.importers import INSERT_COLUMNS
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Admission, Facility, Institution, Staff

BASELINE_YEAR = 2021
TOTAL_POPULATION = 8_460_000
POPULATION_60PLUS = 1_218_200
SHARE_65PLUS_OF_TOTAL = Decimal("0.1049")
INFANTS_0_3 = 376_100
APPROVED_BEDS = 28_900
NURSING_SHARE = Decimal("0.4733")
SAFETY_NET_SHARE = Decimal("0.323")
MEDICAL_INTEGRATED = 45
MEDICAL_INTEGRATED_BEDS = 15_446
INSTITUTIONS = {
    "rural_tekun": 31,
    "public": 14,
    "public_private_operated": 12,
    "private_nonprofit": 44,
    "private_forprofit": 24,
}
FACILITIES = {"home_care_centres": 388, "mutual_aid_station": 976, "canteen": 188}
STAFF_TOTAL, CAREGIVERS = 2_300, 1_887
FAKE_REGION_PREFIX = "5399"
SMALL_SAMPLE = 200
CITY_OCCUPANCY = 0.60

# Approximate 7th-census resident population by county (10k people), scaled to the city total; rural counties are
# older. Synthetic weights, not official figures.
COUNTY_WEIGHTS = {
    "530102": (114.3, 0.130),
    "530103": (98.8, 0.135),
    "530111": (160.3, 0.120),
    "530112": (96.4, 0.140),
    "530113": (26.0, 0.165),
    "530114": (64.9, 0.110),
    "530115": (35.4, 0.160),
    "530124": (14.6, 0.175),
    "530125": (42.1, 0.175),
    "530126": (24.6, 0.170),
    "530127": (43.2, 0.160),
    "530128": (40.2, 0.165),
    "530129": (46.1, 0.165),
    "530181": (48.3, 0.150),
}
AGE_BANDS = [
    (60, 64, 0.30),
    (65, 69, 0.25),
    (70, 74, 0.18),
    (75, 79, 0.12),
    (80, 84, 0.08),
    (85, 89, 0.05),
    (90, 104, 0.02),
]
CATEGORY_RATES = {
    "tekun": 0.015,
    "dibao": 0.05,
    "dibao_edge": 0.02,
    "lonely": 0.03,
    "living_alone": 0.10,
    "empty_nest": 0.30,
    "severe_disability": 0.02,
    "dementia": 0.03,
    "family_planning_special": 0.005,
    "left_behind": 0.08,
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "秀英玉兰桂芳华珍凤琼明建国志强德福顺昌文荣光辉淑云丽萍春梅金海永祥宝林家树正红英俊彩霞美芝兴贵发"


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers in proportion to weights that add up exactly to total (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def fake_id_number(rng: random.Random, county_index: int, birth: date, female: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
    body = f"{FAKE_REGION_PREFIX}{county_index:02d}{birth:%Y%m%d}{seq:03d}"
    return body + id_number_check_char(body)


def fake_uscc(rng: random.Random, county: str, dept: str = "52") -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = dept + county + "".join(rng.choice(chars) for _ in range(9))
    return body + uscc_check_char(body)


@dataclass
class DemoSummary:
    institutions: int = 0
    facilities: int = 0
    staff: int = 0
    elders: int = 0
    stays: int = 0
    population_rows: int = 0


def already_built() -> bool:
    return Institution.objects.filter(uscc__startswith="52", name__endswith="（演示）").exists()


@transaction.atomic
def build(scale: str = "small", seed: int = 2021, today: date | None = None) -> DemoSummary:
    """Create the demo city once (idempotent: a second call finds it and does nothing)."""
    if already_built():
        return DemoSummary()
    rng = random.Random(seed)
    today = today or date(2026, 11, 1)
    counties = list(OrgUnit.objects.filter(level="county", code__in=COUNTY_WEIGHTS).order_by("code"))
    townships = {c.code: list(OrgUnit.objects.filter(parent=c, level="township").order_by("code")) for c in counties}
    villages: dict[str, list[OrgUnit]] = {}
    for v in OrgUnit.objects.filter(level="village", code__startswith="5301").order_by("code"):
        villages.setdefault(v.code[:6], []).append(v)

    summary = DemoSummary()
    summary.population_rows = _population(counties)
    institutions = _institutions(rng, counties, townships)
    summary.institutions = len(institutions)
    summary.facilities = _facilities(rng, counties, townships, villages)
    summary.staff = _staff(rng, institutions)
    elder_count = POPULATION_60PLUS if scale == "city" else POPULATION_60PLUS // SMALL_SAMPLE
    summary.elders = _elders(rng, counties, villages, elder_count, today)
    summary.stays = _stays(rng, institutions, scale, today)
    audit.record_bulk(
        None,
        AuditAction.BULK_CREATE,
        Institution,
        summary.institutions + summary.facilities + summary.staff + summary.elders + summary.stays,
        {"demo": scale, "seed": seed, **summary.__dict__},
    )
    return summary


def _population(counties: list[OrgUnit]) -> int:
    weights = [COUNTY_WEIGHTS[c.code][0] for c in counties]
    totals = _split(TOTAL_POPULATION, weights)
    olds = _split(POPULATION_60PLUS, [t * COUNTY_WEIGHTS[c.code][1] for t, c in zip(totals, counties, strict=True)])
    over65 = _split(int(TOTAL_POPULATION * SHARE_65PLUS_OF_TOTAL), olds)
    infants = _split(INFANTS_0_3, totals)
    rows = [
        Population(
            org_unit=c,
            year=BASELINE_YEAR,
            population_total=t,
            population_60plus=o,
            population_65plus=o65,
            infants_0_3=i,
            households=t * 10 // 28,
        )
        for c, t, o, o65, i in zip(counties, totals, olds, over65, infants, strict=True)
    ]
    city = counties[0].parent
    rows.append(
        Population(
            org_unit=city,
            year=BASELINE_YEAR,
            population_total=TOTAL_POPULATION,
            population_60plus=POPULATION_60PLUS,
            population_65plus=sum(over65),
            infants_0_3=INFANTS_0_3,
            households=sum(r.households for r in rows),
        )
    )
    Population.objects.bulk_create(rows)
    return len(rows)


def _institutions(rng, counties, townships) -> list[Institution]:
    kinds = [k for k, n in INSTITUTIONS.items() for _ in range(n)]
    count = len(kinds)
    # Beds: the 45 medical-integrated institutions hold 15,446; the other 80 share the rest.
    medical = set(rng.sample(range(count), MEDICAL_INTEGRATED))
    med_beds = _split(MEDICAL_INTEGRATED_BEDS, [rng.uniform(0.5, 1.5) for _ in medical])
    other_beds = _split(
        APPROVED_BEDS - MEDICAL_INTEGRATED_BEDS, [rng.uniform(0.5, 1.5) for _ in range(count - len(medical))]
    )
    approved = []
    mi = oi = 0
    for i in range(count):
        if i in medical:
            approved.append(med_beds[mi])
            mi += 1
        else:
            approved.append(other_beds[oi])
            oi += 1
    nursing = _split(int(APPROVED_BEDS * NURSING_SHARE + Decimal("0.5")), [a * rng.uniform(0.6, 1.4) for a in approved])
    nursing = [min(n, a) for n, a in zip(nursing, approved, strict=True)]
    safety = _split(
        int(APPROVED_BEDS * SAFETY_NET_SHARE + Decimal("0.5")),
        [a * (2.5 if k in ("rural_tekun", "public") else 0.7) for a, k in zip(approved, kinds, strict=True)],
    )
    safety = [min(s, a) for s, a in zip(safety, approved, strict=True)]
    rural = [t for c in counties for t in townships[c.code] if not t.urban]
    urban = [t for c in counties for t in townships[c.code] if t.urban]
    rows = []
    for i, kind in enumerate(kinds):
        township = rng.choice(rural if kind == "rural_tekun" else urban)
        leased = kind in ("private_nonprofit", "private_forprofit") and rng.random() < 0.5
        puhui = min(approved[i] - safety[i], int(approved[i] * rng.uniform(0.2, 0.5)))
        rows.append(
            Institution(
                public_id=uuid.UUID(int=rng.getrandbits(128)),
                code=f"YL{i + 1:04d}",
                name=f"{township.name}{'敬老院' if kind == 'rural_tekun' else '养老服务中心' if kind == 'public' else '颐养院'}{i + 1}号（演示）",
                uscc=fake_uscc(rng, township.code[:6], "12" if kind in ("rural_tekun", "public") else "52"),
                org_unit=township,
                kind=kind,
                government_operated=kind in ("rural_tekun", "public"),
                property="leased" if leased else "owned",
                lease_years=rng.choice([3, 5, 8, 10]) if leased else None,
                approved_beds=approved[i],
                nursing_beds=nursing[i],
                safety_net_beds=safety[i],
                puhui_beds=puhui,
                is_nursing_type=nursing[i] * 2 > approved[i],
                internal_medical=i in medical,
                medical_agreement=i in medical or rng.random() < 0.9,
                filed_on=date(2015, 1, 1) + timedelta(days=rng.randrange(0, 2500)),
                opened_on=date(2012, 1, 1) + timedelta(days=rng.randrange(0, 3000)),
                address=f"{township.name}演示路{rng.randrange(1, 300)}号",
                phone=f"0871-6{rng.randrange(1000000, 9999999)}",
            )
        )
    return Institution.objects.bulk_create(rows)


def _facilities(rng, counties, townships, villages) -> int:
    rows = []
    all_villages = [v for c in counties for v in villages.get(c.code, [])]
    urban_townships = [t for c in counties for t in townships[c.code] if t.urban]
    n = 0

    def add(kind, unit, operator, area, beds=0):
        nonlocal n
        n += 1
        rows.append(
            Facility(
                public_id=uuid.UUID(int=rng.getrandbits(128)),
                code=f"SS{n:05d}",
                name=f"{unit.name}{_FACILITY_NAMES[kind]}（演示）",
                kind=kind,
                org_unit=unit,
                operator=operator,
                area_m2=Decimal(area),
                beds=beds,
                opened_on=date(2016, 1, 1) + timedelta(days=rng.randrange(0, 2000)),
            )
        )

    street = rng.sample(urban_townships, 60)
    for t in street:
        add(
            "street_center",
            t,
            rng.choice(["public", "public_private_operated"]),
            rng.randrange(800, 3000),
            rng.randrange(10, 60),
        )
    for v in rng.sample(all_villages, FACILITIES["home_care_centres"] - len(street)):
        add(
            "community_center" if v.urban else "rural_center",
            v,
            rng.choice(["public", "public_private_operated", "private"]),
            rng.randrange(200, 1200),
            rng.randrange(0, 20),
        )
    for v in rng.sample(all_villages, FACILITIES["mutual_aid_station"]):
        add("mutual_aid_station", v, "public", rng.randrange(60, 300))
    for v in rng.sample(all_villages, FACILITIES["canteen"]):
        add("canteen", v, rng.choice(["public", "private"]), rng.randrange(80, 400))
    Facility.objects.bulk_create(rows)
    return len(rows)


_FACILITY_NAMES = {
    "street_center": "综合养老服务中心",
    "community_center": "社区居家养老服务中心",
    "rural_center": "农村居家养老服务中心",
    "mutual_aid_station": "互助养老服务站",
    "canteen": "老年幸福食堂",
}


def _person_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _staff(rng, institutions: list[Institution]) -> int:
    cipher = get_cipher()
    provider = get_key_provider()
    weights = [i.approved_beds for i in institutions]
    per_institution = _split(STAFF_TOTAL, weights)
    caregivers = _split(CAREGIVERS, weights)
    social = _split(60, weights)
    cols = [
        "public_id",
        "institution_id",
        "facility_id",
        "org_unit_id",
        "id_number_enc",
        "id_number_index",
        "id_number_masked",
        "name",
        "role",
        "skill_grade",
        "certificate_no",
        "trained",
        "contract_start",
        "contract_end",
        "social_insurance",
        "hired_on",
        "left_on",
    ]

    def rows():
        for inst, total, care, sw in zip(institutions, per_institution, caregivers, social, strict=True):
            roles = ["caregiver"] * care + ["social_worker"] * min(sw, max(0, total - care))
            roles += [rng.choice(["nurse", "doctor", "manager", "other"]) for _ in range(max(0, total - len(roles)))]
            for role in roles:
                pid = uuid.UUID(int=rng.getrandbits(128))
                birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 12000))
                idn = fake_id_number(rng, 99, birth, rng.random() < 0.8)
                hired = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 2400))
                grade = rng.choice(["junior", "junior", "intermediate", "senior", ""]) if role == "caregiver" else ""
                yield (
                    pid,
                    inst.pk,
                    None,
                    inst.org_unit_id,
                    cipher.encrypt(idn, table="institutions_staff", column="id_number_enc", row=str(pid)),
                    blind_index(idn, purpose="id_number", provider=provider),
                    mask_id_number(idn),
                    _person_name(rng),
                    role,
                    grade,
                    f"YLHL{rng.randrange(10**7, 10**8)}" if grade else "",
                    role == "caregiver" and rng.random() < 0.85,
                    hired,
                    hired + timedelta(days=365 * 3),
                    rng.random() < 0.8,
                    hired,
                    None,
                )

    return insert_rows(Staff, cols, rows())


def _age_band(rng) -> tuple[int, int]:
    r = rng.random()
    acc = 0.0
    for lo, hi, p in AGE_BANDS:
        acc += p
        if r < acc:
            return lo, hi
    return AGE_BANDS[-1][0], AGE_BANDS[-1][1]


def _capability(rng, age: int) -> str:
    r = rng.random()
    disabled = 0.05 + max(0, age - 65) * 0.012
    if r > disabled * 2.2:
        return "intact"
    if r > disabled:
        return "mild"
    return rng.choice(["moderate", "moderate", "severe", "total"])


def _elders(rng, counties, villages, total: int, today: date) -> int:
    cipher = get_cipher()
    provider = get_key_provider()
    per_county = _split(
        total, [float(Population.objects.get(org_unit=c, year=BASELINE_YEAR).population_60plus) for c in counties]
    )
    county_index = {c.code: i + 1 for i, c in enumerate(counties)}
    category_cols = Category.values  # the column order of INSERT_COLUMNS
    cols = INSERT_COLUMNS
    from django.utils import timezone

    now = timezone.now()
    used: set[str] = set()

    def rows():
        for county, n in zip(counties, per_county, strict=True):
            units = villages[county.code]
            for _ in range(n):
                unit = rng.choice(units)
                lo, hi = _age_band(rng)
                age = rng.randint(lo, hi)
                birth = today.replace(year=today.year - age - 1) + timedelta(days=rng.randrange(1, 365))
                female = rng.random() < 0.53
                idn = fake_id_number(rng, county_index[county.code], birth, female)
                while idn in used:
                    idn = fake_id_number(rng, county_index[county.code], birth, female)
                used.add(idn)
                pid = uuid.UUID(int=rng.getrandbits(128))
                cats = [
                    rng.random() < CATEGORY_RATES[c] * (1.6 if c == "left_behind" and not unit.urban else 1)
                    for c in category_cols
                ]
                phone = f"13{rng.randrange(100000000, 999999999)}"
                yield (
                    pid,
                    cipher.encrypt(idn, table="elders_elder", column="id_number_enc", row=str(pid)),
                    blind_index(idn, purpose="id_number", provider=provider),
                    mask_id_number(idn),
                    _person_name(rng),
                    "female" if female else "male",
                    birth,
                    unit.pk,
                    rng.random() < 0.9,
                    *cats,
                    _capability(rng, age),
                    cipher.encrypt(phone, table="elders_elder", column="phone_enc", row=str(pid)),
                    mask_phone(phone),
                    f"{unit.name}{rng.randrange(1, 200)}号",
                    None,
                    None,
                    "active",
                    None,
                    None,
                    now,
                    now,
                )

    return insert_rows(Elder, cols, rows())


def _stays(rng, institutions: list[Institution], scale: str, today: date) -> int:
    """Open stays: about 60% of approved beds at city scale; at small scale one elder in ten lives in a home."""
    elders = list(Elder.objects.filter(status="active").order_by("id").values_list("id", "capability_level"))
    rng.shuffle(elders)
    target = int(APPROVED_BEDS * CITY_OCCUPANCY) if scale == "city" else len(elders) // 10
    per_institution = _split(min(target, len(elders)), [i.approved_beds for i in institutions])
    cols = [
        "public_id",
        "elder_id",
        "institution_id",
        "bed_kind",
        "admitted_on",
        "discharged_on",
        "discharge_reason",
        "transferred_to_id",
    ]

    def rows():
        k = 0
        for inst, n in zip(institutions, per_institution, strict=True):
            nursing_left = inst.nursing_beds
            for _ in range(min(n, inst.approved_beds)):
                elder_id, level = elders[k]
                k += 1
                needs_nursing = level in ("moderate", "severe", "total") and nursing_left > 0
                nursing_left -= needs_nursing
                yield (
                    uuid.UUID(int=rng.getrandbits(128)),
                    elder_id,
                    inst.pk,
                    "nursing" if needs_nursing else "general",
                    today - timedelta(days=rng.randrange(30, 2500)),
                    None,
                    "",
                    None,
                )

    return insert_rows(Admission, cols, rows())
