"""Demo welfare visits: a year of monthly visits to special-difficulty elders with realistic gaps, so the visit-rate
table, its trend and the overdue list show something.

For each of the last twelve months (and this month once its 10th has come) an elder is visited on the 10th unless
(a) a deterministic per-elder, per-month draw misses (``share_percent``, 92 by default), or (b) the elder is one of
one in ten whose visits stop for two or three consecutive months (a worker on leave, an elder away at family). That
gives about 90% of elders visited in a month. ``visited`` is the rule in Python; the SQL filter is the same rule.
Set-based: one INSERT … SELECT per month. Deterministic (which elder, which month); does nothing when demo visits
exist.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.expressions import RawSQL

from chuncheng.core import audit
from chuncheng.core.models import AuditAction, OrgUnit, User
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import SHANGHAI, today
from chuncheng.welfare import services
from chuncheng.welfare.models import SpecialDifficultyFlag, WelfareVisit

DEMO_VISITOR = "demo_welfare_visitor"
# A random UUID in SQL, as each backend stores Django's UUIDField (native uuid; 32 hex characters on SQLite).
NEW_UUID_SQL = {"postgresql": "gen_random_uuid()", "sqlite": "lower(hex(randomblob(16)))"}


def _visitor() -> User:
    user = User.objects.filter(username=DEMO_VISITOR).first()
    if user is None:
        user = User(username=DEMO_VISITOR, role="township_worker", org_unit=OrgUnit.objects.get(code="530100"))
        user.set_unusable_password()
        user.is_active = False  # a name for demo rows, never a login
        user.save()
    return user


MONTHS = 12
GAP_ONE_IN = 10  # one elder in ten has a gap of GAP_MIN or GAP_MIN + 1 months
GAP_MIN = 2


def visited(elder_id: int, month_index: int, share_percent: int = 92) -> bool:
    """Whether the demo visits an elder in month ``month_index`` (0 = the oldest month). The SQL below is the same."""
    if (elder_id * 37 + month_index * 11) % 100 >= share_percent:
        return False
    gap_start, gap_len = (elder_id // GAP_ONE_IN * 7) % 10, GAP_MIN + (elder_id // 100) % 2
    return not (elder_id % GAP_ONE_IN == 3 and gap_start <= month_index < gap_start + gap_len)


def visit_days(day: date | None = None) -> list[date]:
    """The 10th of each of the last twelve months, and of this month when the day has come."""
    day = day or today()
    first = day.replace(day=1)
    days = []
    for back in range(MONTHS, 0, -1):
        month_index = first.year * 12 + first.month - 1 - back
        days.append(date(month_index // 12, month_index % 12 + 1, 10))
    return days + ([first.replace(day=10)] if day.day >= 10 else [])


@transaction.atomic
def seed_visits(*, share_percent: int = 92) -> int:
    """A year of demo visits (see the module); does nothing when demo visits exist."""
    visitor = _visitor()
    if WelfareVisit.objects.filter(visitor=visitor).exists():
        return 0
    days = visit_days()
    count = 0
    for i, day in enumerate(days):
        qs = (
            Elder.objects.filter(status=ElderStatus.ACTIVE)
            .filter(Exists(SpecialDifficultyFlag.objects.filter(elder_id=OuterRef("pk"))))
            .annotate(
                bucket=(F("id") * 37 + i * 11) % 100,
                gap_group=F("id") % GAP_ONE_IN,
                gap_start=(F("id") / GAP_ONE_IN * 7) % 10,
                gap_end=(F("id") / GAP_ONE_IN * 7) % 10 + GAP_MIN + (F("id") / 100) % 2,
            )
            .filter(bucket__lt=share_percent)
            .exclude(gap_group=3, gap_start__lte=i, gap_end__gt=i)
            .annotate(
                v_public_id=RawSQL(NEW_UUID_SQL[connection.vendor], []),
                v_day=Value(day, output_field=models.DateField()),
                v_user=Value(visitor.pk, output_field=models.BigIntegerField()),
                v_name=Value("演示志愿者"),
                v_mode=Value("in_person"),
                v_condition=Value("good"),
                v_empty=Value(""),
                v_created=Value(datetime.combine(day, time(10), tzinfo=SHANGHAI), output_field=models.DateTimeField()),
            )
            .values_list(
                "v_public_id",
                "id",
                "v_day",
                "v_user",
                "v_name",
                "v_mode",
                "v_condition",
                "v_empty",
                "v_empty",
                "v_empty",
                "v_empty",
                "v_created",
            )
        )
        count += services._insert_select(
            WelfareVisit,
            [
                "public_id",
                "elder_id",
                "visited_on",
                "visitor_id",
                "visitor_name",
                "mode",
                "condition",
                "condition_note",
                "risks",
                "needs",
                "referrals",
                "created_at",
            ],
            qs,
        )
    audit.record_bulk(
        None, AuditAction.BULK_CREATE, WelfareVisit, count, {"demo": True, "days": [str(d) for d in days]}
    )
    return count
