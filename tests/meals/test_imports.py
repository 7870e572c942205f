"""``chuncheng import meal-records``: the swipe file; unknown cards and other refusals write nothing."""

from __future__ import annotations

import io

import pytest

from chuncheng.core.imports import run_import
from chuncheng.core.registry import importer_for
from chuncheng.meals.models import MealFlag, MealRecord

pytestmark = pytest.mark.django_db

HEADER = "card_no,site_code,served_on,slot,price\n"


def run(text: str, actor=None, **kw):
    return run_import(importer_for("meal-records", actor), io.BytesIO(text.encode("utf-8")), "swipes.csv", **kw)


def test_import_writes_prices_and_flags_and_reimport_changes_nothing(world):
    text = (
        "卡号,站点编码,就餐日期,餐次,价格\n"
        "C-0001,MC-WH-1,2025-03-03,午餐,10\n"
        f"{world.old_id},MC-WH-1,2025-03-03,lunch,10\n"
        f"{world.old_id},MP-WH-2,2025-03-03,lunch,10\n"
    )
    result = run(text)
    assert result.ok and (result.created, result.unchanged) == (3, 0)
    record = MealRecord.objects.get(elder=world.poor)
    assert (record.subsidy_group, str(record.subsidy), record.source) == ("tekun", "8.00", "swipe_import")
    assert MealFlag.objects.filter(rule="same_slot_twice").count() == 2
    again = run(text)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert MealRecord.objects.count() == 3


def test_unknown_card_writes_nothing(world):
    result = run(HEADER + "C-0001,MC-WH-1,2025-03-03,lunch,10\nX-9999,MC-WH-1,2025-03-03,lunch,10\n")
    assert not result.ok and not result.written
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "card_no", "card_unknown")]
    assert "9999" in result.errors[0].value and "X-9999" not in result.errors[0].value  # masked
    assert MealRecord.objects.count() == 0


def test_other_refusals(world, personas):
    text = HEADER + (
        "C-0001,NOPE,2025-03-03,lunch,10\n"
        "C-0001,MC-GD-1,2025-03-03,lunch,10\n"
        "C-0001,MC-WH-1,2025-03-03,supper,10\n"
        "C-0001,MC-WH-1,2025-03-04,lunch,-1\n"
        "C-0002,MC-WH-1,2025-03-04,lunch,10\n"
        "C-0002,MC-WH-1,2025-03-04,lunch,10\n"
    )
    result = run(text, actor=personas.wuhua)
    codes = [(e.row, e.code) for e in result.errors]
    assert codes == [
        (2, "site_unknown"),
        (3, "site_out_of_scope"),
        (4, "choice"),
        (5, "negative_price"),
        (7, "duplicate_in_file"),
    ]
    assert MealRecord.objects.count() == 0
    partial = run(text, actor=personas.wuhua, partial=True)
    assert partial.created == 1


def test_cli_import_exit_code(world, tmp_path, capsys):
    from chuncheng.cli import main

    path = tmp_path / "swipes.csv"
    path.write_text(HEADER + "X-1,MC-WH-1,2025-03-03,lunch,10\n", encoding="utf-8")
    assert main(["import", "meal-records", str(path)]) == 2
    assert "card_unknown" in capsys.readouterr().out
    path.write_text(HEADER + "C-0001,MC-WH-1,2025-03-03,lunch,10\n", encoding="gbk")
    assert main(["import", "meal-records", str(path)]) == 0
    assert MealRecord.objects.count() == 1


def test_api_import_and_template(world, personas, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    township = login(personas.huashan)
    template = township.get("/imports/meal-records/template.csv")
    assert template.status_code == 200 and "卡号" in template.content.decode("utf-8-sig")
    bad = SimpleUploadedFile("s.csv", (HEADER + "X-1,MC-WH-1,2025-03-03,lunch,10\n").encode(), content_type="text/csv")
    response = township.post("/api/v1/imports/meal-records/", {"file": bad})
    assert response.status_code == 422
    assert MealRecord.objects.count() == 0
    good = SimpleUploadedFile(
        "s.csv", (HEADER + "C-0001,MC-WH-1,2025-03-03,lunch,10\n").encode(), content_type="text/csv"
    )
    assert township.post("/api/v1/imports/meal-records/", {"file": good}).status_code in (200, 201)
    assert MealRecord.objects.count() == 1
    community = login(personas.community)  # may record at the tablet, not import
    again = SimpleUploadedFile(
        "s.csv", (HEADER + "C-0002,MC-WH-1,2025-03-03,lunch,10\n").encode(), content_type="text/csv"
    )
    assert community.post("/api/v1/imports/meal-records/", {"file": again}).status_code == 403
    assert MealRecord.objects.count() == 1
