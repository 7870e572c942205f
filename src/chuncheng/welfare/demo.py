"""Demo welfare visits: for each of the last two months, a deterministic share of special-difficulty elders get one
visit (so the visit-rate table and the overdue list show something). Set-based: one INSERT … SELECT per month."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Value
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


@transaction.atomic
def seed_visits(*, share_percent: int = 85) -> int:
    """Visits on the 10th of last month and (when the day has come) of this month for elders whose id modulo 100 is
    below ``share_percent``; does nothing when demo visits exist."""
    visitor = _visitor()
    if WelfareVisit.objects.filter(visitor=visitor).exists():
        return 0
    first = today().replace(day=1)
    last_month = (first.replace(day=1) - date.resolution).replace(day=10)
    days = [last_month] + ([first.replace(day=10)] if today().day >= 10 else [])
    count = 0
    for i, day in enumerate(days):
        qs = (
            Elder.objects.filter(status=ElderStatus.ACTIVE)
            .filter(Exists(SpecialDifficultyFlag.objects.filter(elder_id=OuterRef("pk"))))
            .annotate(bucket=(models.F("id") + i * 7) % 100)
            .filter(bucket__lt=share_percent)
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
