"""Contacts get a public UUID: it names them in URLs and binds their encrypted phone (AAD) to the row.

Expand → backfill → constrain, so existing rows each get their own UUID (a callable default on AddField would give
every existing row the same value). No contact phone was written before this migration (no service existed), so
there is nothing to re-encrypt.
"""

import uuid

from django.db import migrations, models


def backfill(apps, schema_editor):
    ElderContact = apps.get_model("elders", "ElderContact")
    batch = []
    for contact in ElderContact.objects.filter(public_id__isnull=True).only("pk").iterator(chunk_size=2000):
        contact.public_id = uuid.uuid4()
        batch.append(contact)
        if len(batch) >= 2000:
            ElderContact.objects.bulk_update(batch, ["public_id"])
            batch = []
    if batch:
        ElderContact.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [("elders", "0001_registry")]

    operations = [
        migrations.AddField(
            model_name="eldercontact",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="eldercontact",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
