"""Assessment answers are health data: move them from the clear JSON column to ``answers_enc`` (field cipher).

Existing rows are encrypted in place, in primary-key batches, bound to their own public id; the reverse
decrypts them back. Scores and levels stay in clear.
"""

import json

from django.db import migrations, models

TABLE = "assessment_assessment"
COLUMN = "answers_enc"
BATCH = 2000


def encrypt_answers(apps, schema_editor):
    from chuncheng.core.cipher import get_cipher

    Assessment = apps.get_model("assessment", "Assessment")
    cipher = get_cipher()
    last = 0
    while True:
        batch = list(Assessment.objects.filter(pk__gt=last).order_by("pk").only("pk", "public_id", "answers")[:BATCH])
        if not batch:
            return
        for row in batch:
            text = json.dumps(row.answers, ensure_ascii=False, sort_keys=True) if row.answers else ""
            row.answers_enc = cipher.encrypt(text, table=TABLE, column=COLUMN, row=str(row.public_id)) if text else ""
        Assessment.objects.bulk_update(batch, ["answers_enc"])
        last = batch[-1].pk


def decrypt_answers(apps, schema_editor):
    from chuncheng.core.cipher import get_cipher

    Assessment = apps.get_model("assessment", "Assessment")
    cipher = get_cipher()
    last = 0
    while True:
        batch = list(
            Assessment.objects.filter(pk__gt=last).order_by("pk").only("pk", "public_id", "answers_enc")[:BATCH]
        )
        if not batch:
            return
        for row in batch:
            token = row.answers_enc
            row.answers = (
                json.loads(cipher.decrypt(token, table=TABLE, column=COLUMN, row=str(row.public_id))) if token else {}
            )
        Assessment.objects.bulk_update(batch, ["answers"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_agencies_assessors_assessments"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="answers_enc",
            field=models.TextField(blank=True, default="", verbose_name="answers (encrypted)"),
        ),
        migrations.RunPython(encrypt_answers, decrypt_answers),
        migrations.RemoveField(
            model_name="assessment",
            name="answers",
        ),
    ]
