"""Property of every read: no response body of a list, detail, search or export — page, API or file, for any persona —
contains a fixture elder's full ID number or full phone number. Only the reveal endpoints return the full ID."""

from __future__ import annotations

import io

import openpyxl
import pytest

from chuncheng.elders import services
from tests.elders.conftest import full_ids

pytestmark = pytest.mark.django_db
PHONES = {"13812345678", "65123456", "13600002222"}


def body(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        return "\n".join(",".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))
    return response.content.decode("utf-8-sig")


def test_no_read_carries_a_full_id_or_phone(personas, registry, login, admit):
    services.add_contact(
        registry.wuhua, {"name": "王强", "relation": "child", "phone": "13600002222"}, actor=personas.city
    )
    admit(registry.wuhua, personas.wuhua_home)
    secrets = registry.all_ids()
    checked = 0
    for persona in personas.area_users():
        c = login(persona)
        responses = [
            c.get("/elders/"),
            c.get("/elders/", {"status": "all", "sort": "name"}),
            c.get("/elders/export/"),
            c.get("/elders/export/", {"format": "xlsx"}),
            c.get("/api/v1/elders/"),
            c.get("/api/v1/elders/export/"),
            c.get("/api/v1/elders/export/", {"format": "xlsx"}),
            c.post("/elders/search/", {"id_number": registry.ids["wuhua"]}),
            c.post("/api/v1/elders/search/", {"id_number": registry.ids["wuhua"]}),
        ]
        for elder in (registry.wuhua, registry.wuhua_old, registry.guandu):
            responses += [
                c.get(f"/elders/{elder.public_id}/"),
                c.get(f"/elders/{elder.public_id}/edit/"),
                c.get(f"/api/v1/elders/{elder.public_id}/"),
                c.get(f"/api/v1/elders/{elder.public_id}/contacts/"),
            ]
        for response in responses:
            text = body(response)
            assert full_ids(text) & secrets == set(), (persona.username, response.request["PATH_INFO"])
            assert not any(p in text for p in PHONES), (persona.username, response.request["PATH_INFO"])
            checked += response.status_code == 200
    assert checked > 60
