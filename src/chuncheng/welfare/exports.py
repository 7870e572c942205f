"""CSV of who is entitled to an item, per area (masked, as on screen); the caller checks permission."""

from __future__ import annotations

import io

from django.http import HttpResponse

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.tabular import write_csv
from chuncheng.elders.queries import age

HEADER = ["区域代码", "社区", "姓名", "身份证号", "年龄", "服务项目"]


def entitled_rows(qs, item):
    for ent in qs.iterator(chunk_size=2000):
        e = ent.elder
        yield [e.org_unit.code, e.org_unit.name, e.name, e.id_number_masked, age(e.birth_date), item.name]


def entitled_csv(qs, item, *, user) -> HttpResponse:
    text = io.StringIO()
    count = write_csv(text, HEADER, entitled_rows(qs, item))
    audit.security_event(SecurityEventKind.EXPORT, user=user, data_kind="welfare_entitled", item=item.code, rows=count)
    response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="entitled-{item.code}.csv"'
    return response
