"""Audit entries' `changes` in one shape: {field: {"from": old, "to": new}}.

Earlier entries had three: {field: {"from", "to"}} (updates), {field: value} (what a creation
or an event set) and {"archived": [old, new]} (archiving an indicator). Plain values become
{"from": null, "to": value}; the one list form becomes from/to.
"""

from django.db import migrations


def _plain_to_change(field, value):
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return value
    if field == "archived" and isinstance(value, list) and len(value) == 2:
        return {"from": value[0], "to": value[1]}
    return {"from": None, "to": value}


def one_shape(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    batch = []
    for event in AuditEvent.objects.only("id", "changes").iterator(chunk_size=2000):
        shaped = {k: _plain_to_change(k, v) for k, v in (event.changes or {}).items()}
        if shaped != event.changes:
            event.changes = shaped
            batch.append(event)
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_update(batch, ["changes"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_partner_path_shape"),
    ]

    operations = [
        migrations.RunPython(one_shape, migrations.RunPython.noop),
    ]
