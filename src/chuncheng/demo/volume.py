"""City-scale service volume: two years of verified home visits and canteen lunches, so the monitoring, scan and
settlement figures are measured on real volume (issue 6: at ``city`` scale at least 20 M visit and meal records over
two years).

Only at ``--scale city`` and only on PostgreSQL: rows are generated set-based, one ``INSERT … SELECT
generate_series`` per county and month (visits, with their orders in the same statement) and per month (meals), each
in its own transaction with one bulk audit row, so an interrupted build resumes at the first missing chunk.

What is generated, deterministically from the registry the city demo built:
- one provider per county (registered through ``homecare.services``) whose caregivers are the county's institution
  caregivers from the staff registry;
- served elders: about 1 in 13 elders living at home, capped so that no caregiver has more than
  ``SLOTS_PER_DAY`` visits a day; each is visited once a week (kind by elder, caregiver fixed), priced by the
  catalogue in force and its group price (the monthly allowance cap is not applied to this volume); 2 % are too short
  and 1 % unconfirmed, so the anomaly scan has something to find; the elder's code is not a real one (``volume``);
- diners: about 1 in 33 elders living at home, each eating lunch at a canteen of their county on a deterministic
  half of the days, priced as ``meals.services.price_meal`` prices it (group by the policy's order, 80+ by age on
  the day).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from chuncheng.core import audit
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.validators import uscc_check_char
from chuncheng.demo.benefits import _account, months_before
from chuncheng.homecare import services as homecare
from chuncheng.homecare.models import Caregiver, CataloguePrice, CatalogueVersion, Provider, ServiceOrder, Visit
from chuncheng.homecare.rules import month_range
from chuncheng.meals import policy as meal_policy
from chuncheng.meals.models import MealRecord

MONTHS = 24
SERVED_PER_MILLE = 75  # elders at home with a weekly home service
DINERS_PER_MILLE = 30  # elders who eat at a canteen
LUNCH_DAYS_PERCENT = 50
SLOTS_PER_DAY = 8  # visits a caregiver makes a day, one an hour from 08:00
KINDS = ("cleaning", "bathing", "medical_escort", "shopping")
LUNCH = "12.00"
SUFFIX = "（规模演示）"


def _uscc(n: int) -> str:
    body = f"52530100MK{n:07d}"
    return body + uscc_check_char(body)


def build_volume(today: date, *, months: int = MONTHS) -> dict[str, int]:
    """Generate what is missing; returns the rows written by this call (0 and 0 when everything exists)."""
    if connection.vendor != "postgresql":
        return {"visits": 0, "meals": 0, "skipped": 1}
    providers = _providers()
    _caregivers(providers)
    written = {"visits": 0, "meals": 0}
    with connection.cursor() as cursor:
        _served(cursor)
        _diners(cursor)
    for month in months_before(today, months):
        for provider_id in providers.values():
            written["visits"] += _visit_chunk(month, provider_id)
        written["meals"] += _meal_chunk(month)
    return written


def _providers() -> dict[int, int]:
    """One provider per county, registered by the county's demo official; {county id: provider id}."""
    found = {}
    for n, county in enumerate(OrgUnit.objects.filter(level="county", code__startswith="5301").order_by("code")):
        name = f"{county.name}居家服务中心{SUFFIX}"
        provider = Provider.objects.filter(name=name).first()
        if provider is None:
            official = _account(f"demo.volume.{county.code}", "county_official", county.code)
            provider = homecare.register_provider(
                {
                    "name": name,
                    "uscc": _uscc(n + 1),
                    "org_unit": county,
                    "contact_name": "演示联系人",
                    "areas": [county.code],
                },
                actor=official,
            )
        found[county.pk] = provider.pk
    return found


@transaction.atomic
def _caregivers(providers: dict[int, int]) -> None:
    """The county's institution caregivers become its provider's caregivers (one INSERT … SELECT)."""
    ids = list(providers.values())
    if Caregiver.objects.filter(provider_id__in=ids).exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO homecare_caregiver (public_id, provider_id, staff_id, active)
            SELECT gen_random_uuid(), p.id, s.id, true
            FROM institutions_staff s
            JOIN institutions_institution i ON i.id = s.institution_id
            JOIN core_orgunit u ON u.id = i.org_unit_id
            JOIN homecare_provider p ON p.id = ANY(%s)
            JOIN core_orgunit pc ON pc.id = p.org_unit_id AND u.code LIKE pc.code || '%%'
            WHERE s.role = 'caregiver'
            """,
            [ids],
        )
        count = cursor.rowcount
    audit.record_bulk(None, AuditAction.CREATE, Caregiver, count, {"source": "demo volume", "providers": len(ids)})


def _served(cursor) -> None:
    """vol_served(provider, n, elder, caregiver, kind, group, lat, lng): numbered per county, capped by capacity."""
    cursor.execute("DROP TABLE IF EXISTS vol_carer; DROP TABLE IF EXISTS vol_served")
    cursor.execute(
        f"""
        CREATE TEMP TABLE vol_carer AS
        SELECT c.provider_id, c.id AS caregiver_id,
               row_number() OVER (PARTITION BY c.provider_id ORDER BY c.id) - 1 AS n,
               count(*) OVER (PARTITION BY c.provider_id) AS total
        FROM homecare_caregiver c JOIN homecare_provider p ON p.id = c.provider_id
        WHERE p.name LIKE '%%{SUFFIX}'
        """,
        [],
    )
    cursor.execute(
        f"""
        CREATE TEMP TABLE vol_served AS
        WITH home AS (
            SELECT p.id AS provider_id, e.id AS elder_id,
                   CASE WHEN e.tekun THEN 'tekun' WHEN e.dibao THEN 'dibao' WHEN e.dibao_edge THEN 'dibao_edge'
                        ELSE 'general' END AS grp,
                   row_number() OVER (PARTITION BY p.id ORDER BY e.id) - 1 AS n
            FROM elders_elder e
            JOIN core_orgunit u ON u.id = e.org_unit_id
            JOIN core_orgunit c ON c.level = 'county' AND c.code = left(u.code, 6)
            JOIN homecare_provider p ON p.org_unit_id = c.id AND p.name LIKE '%%{SUFFIX}'
            WHERE e.status = 'active' AND (e.id * 7919) %% 1000 < {SERVED_PER_MILLE}
              AND NOT EXISTS (SELECT 1 FROM institutions_admission a
                              WHERE a.elder_id = e.id AND a.discharged_on IS NULL)
        )
        SELECT h.provider_id, h.n, h.elder_id, h.grp, cg.caregiver_id,
               (ARRAY{list(KINDS)})[1 + h.elder_id %% {len(KINDS)}] AS kind,
               (h.n / 7) / cg.total AS slot,
               -- a caregiver's elders live within a few hundred metres of each other (no impossible travel)
               24.95 + ((cg.caregiver_id * 13) %% 2000 + (h.elder_id * 7) %% 60 - 30) / 10000.0 AS lat,
               102.60 + ((cg.caregiver_id * 17) %% 3000 + (h.elder_id * 11) %% 60 - 30) / 10000.0 AS lng
        FROM home h
        JOIN vol_carer cg ON cg.provider_id = h.provider_id AND cg.n = (h.n / 7) %% cg.total
        WHERE h.n < 7 * {SLOTS_PER_DAY} * cg.total
        """,
        [],
    )
    # Served elders get a home location (the demo registry has none), so check-in distances mean something.
    cursor.execute(
        """
        UPDATE elders_elder e SET lat = s.lat, lng = s.lng
        FROM vol_served s WHERE s.elder_id = e.id AND e.lat IS NULL
        """
    )


def _diners(cursor) -> None:
    """vol_diner(site, elder, birth, flags): diners of a county spread over its canteens."""
    cursor.execute("DROP TABLE IF EXISTS vol_diner")
    cursor.execute(
        f"""
        CREATE TEMP TABLE vol_diner AS
        WITH sites AS (
            SELECT f.id, left(u.code, 6) AS county,
                   row_number() OVER (PARTITION BY left(u.code, 6) ORDER BY f.id) - 1 AS n,
                   count(*) OVER (PARTITION BY left(u.code, 6)) AS total
            FROM institutions_facility f JOIN core_orgunit u ON u.id = f.org_unit_id
            WHERE f.kind = 'canteen'
        ), diners AS (
            SELECT e.id, e.birth_date, e.tekun, e.dibao, e.dibao_edge, left(u.code, 6) AS county,
                   row_number() OVER (PARTITION BY left(u.code, 6) ORDER BY e.id) - 1 AS n
            FROM elders_elder e JOIN core_orgunit u ON u.id = e.org_unit_id
            WHERE e.status = 'active' AND (e.id * 104729) %% 1000 < {DINERS_PER_MILLE}
              AND NOT EXISTS (SELECT 1 FROM institutions_admission a
                              WHERE a.elder_id = e.id AND a.discharged_on IS NULL)
        )
        SELECT s.id AS site_id, d.id AS elder_id, d.birth_date, d.tekun, d.dibao, d.dibao_edge
        FROM diners d JOIN sites s ON s.county = d.county AND s.n = d.n %% s.total
        """,
        [],
    )


def _priced_kinds(month: date) -> list[tuple]:
    """(kind, group, item id, market price, group price, min, max minutes) of the catalogue version in force on the
    month's first day, or the first version for months before any."""
    versions = list(CatalogueVersion.objects.order_by("effective_from"))
    version = next((v for v in reversed(versions) if v.effective_from <= month), versions[0])
    return [
        (p.item.kind, p.target_group, p.item_id, p.item.market_price, p.price, p.item.min_minutes, p.item.max_minutes)
        for p in CataloguePrice.objects.filter(item__version=version, item__kind__in=KINDS).select_related("item")
    ]


def _visit_chunk(month: date, provider_id: int) -> int:
    """One county's month: weekly orders, completed, each with its verified visit (one statement)."""
    last = month_range(month)[1] + timedelta(days=1)  # the next month's first day
    if ServiceOrder.objects.filter(provider_id=provider_id, scheduled_on__gte=month, scheduled_on__lt=last).exists():
        return 0
    eight = int(datetime.combine(month, time(8), tzinfo=ZoneInfo(settings.TIME_ZONE)).timestamp())
    prices = _priced_kinds(month)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS vol_price")
        cursor.execute(
            "CREATE TEMP TABLE vol_price (kind text, grp text, item_id bigint, market numeric, own numeric,"
            " min_m int, max_m int)"
        )
        cursor.executemany("INSERT INTO vol_price VALUES (%s, %s, %s, %s, %s, %s, %s)", prices)
        cursor.execute(
            """
            WITH plan AS (
                SELECT s.elder_id, s.caregiver_id, s.kind, s.grp, s.lat, s.lng, p.item_id, p.market,
                       least(p.own, p.market) AS own, p.min_m, p.max_m,
                       w.week * 7 + s.n %% 7 AS day_offset, s.slot
                FROM vol_served s
                JOIN vol_price p ON p.kind = s.kind AND p.grp = s.grp
                CROSS JOIN generate_series(0, 3) AS w(week)
                WHERE s.provider_id = %(provider)s
            ), orders AS (
                INSERT INTO homecare_serviceorder (public_id, elder_id, provider_id, item_id, kind, target_group,
                    quantity, market_amount, elder_amount, subsidy_amount, scheduled_on, window_start, window_end,
                    window_start_epoch, entitlement, status, caregiver_id, note, cancel_reason, created_at,
                    updated_at)
                SELECT gen_random_uuid(), elder_id, %(provider)s, item_id, kind, grp, 1, market, own, market - own,
                       %(month)s::date + day_offset::int, time '08:00' + slot * interval '1 hour',
                       time '09:00' + slot * interval '1 hour',
                       %(eight)s + day_offset * 86400 + slot * 3600, '[]'::jsonb, 'completed', caregiver_id,
                       'volume', '', now(), now()
                FROM plan
                RETURNING id, elder_id, caregiver_id, kind, scheduled_on, window_start_epoch, item_id
            )
            INSERT INTO homecare_visit (public_id, order_id, elder_id, caregiver_id, kind, visit_date, status,
                check_in_at, check_in_epoch, check_in_lat, check_in_lng, check_in_distance_m, check_out_at,
                check_out_epoch, check_out_lat, check_out_lng, check_out_distance_m, duration_s,
                no_reference_location, code_hash, confirmed)
            SELECT gen_random_uuid(), o.id, o.elder_id, o.caregiver_id, o.kind, o.scheduled_on, 'closed',
                   to_timestamp(t.tin), t.tin, s.lat + t.d, s.lng, abs(t.d) * 111195,
                   to_timestamp(t.tin + t.dur), t.tin + t.dur, s.lat + t.d, s.lng, abs(t.d) * 111195, t.dur,
                   false, 'volume', (o.id %% 100) <> 7
            FROM orders o
            JOIN vol_served s ON s.elder_id = o.elder_id AND s.provider_id = %(provider)s
            JOIN vol_price p ON p.item_id = o.item_id AND p.grp = s.grp
            CROSS JOIN LATERAL (SELECT
                o.window_start_epoch + (o.id * 37) %% 600 AS tin,
                CASE WHEN o.id %% 50 = 3 THEN 300
                     ELSE 60 * (p.min_m + (o.id * 11) %% greatest(1, least(p.max_m, 55) - p.min_m)) END AS dur,
                ((o.id * 31) %% 100) / 100000.0 AS d) t
            """,
            {"provider": provider_id, "month": month, "eight": eight},
        )
        count = cursor.rowcount
        audit.record_bulk(None, AuditAction.CREATE, Visit, count, {"source": "demo volume", "month": month.isoformat()})
    return count


def _meal_chunk(month: date) -> int:
    """One month of lunches at every canteen (one statement), priced by the meal policy in force."""
    last = month_range(month)[1] + timedelta(days=1)  # the next month's first day
    volume = _account("demo.volume.meals")
    if MealRecord.objects.filter(recorded_by=volume, served_on__gte=month, served_on__lt=last).exists():
        return 0
    rule = meal_policy.in_force(month)
    table = rule.subsidy_table
    order = list(rule.value("group_order"))
    cases = []
    for grp in order:
        test = "d.birth_date <= (day - interval '80 years')::date" if grp == "age_80_plus" else f"d.{grp}"
        cases.append(("TRUE" if grp == "general" else test, grp))
    group_sql = "CASE " + " ".join(f"WHEN {t} THEN '{g}'" for t, g in cases) + " ELSE 'general' END"
    subsidy_sql = (
        "CASE grp " + " ".join(f"WHEN '{g}' THEN {table.get(g, {}).get('lunch', 0)}" for g in table) + " ELSE 0 END"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO meals_mealrecord (public_id, elder_id, site_id, served_on, slot, price, subsidy,
                subsidy_group, source, review, review_note, recorded_by_id, created_at)
            SELECT gen_random_uuid(), elder_id, site_id, day, 'lunch', {LUNCH},
                   least({LUNCH}, {subsidy_sql}), grp, 'swipe_import', '', '', %(actor)s, now()
            FROM (
                SELECT d.elder_id, d.site_id, day::date AS day, {group_sql} AS grp
                FROM vol_diner d
                CROSS JOIN generate_series(%(first)s::date, %(last)s::date - 1, interval '1 day') AS day
                WHERE (d.elder_id * 31 + (day::date - date '2000-01-01') * 17) %% 100 < {LUNCH_DAYS_PERCENT}
            ) m
            ON CONFLICT DO NOTHING
            """,
            {"actor": volume.pk, "first": month, "last": last},
        )
        count = cursor.rowcount
        audit.record_bulk(
            volume, AuditAction.CREATE, MealRecord, count, {"source": "demo volume", "month": month.isoformat()}
        )
    return count
