"""Writing audit-log entries; every service write calls `audit_record`."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from .models import AuditEvent, Initiative


def _plain(value: Any) -> Any:
    """Make a field value JSON-friendly for the `changes` column."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """{field: value} of an object now (as `changes` of a creation: each becomes a "to")."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def change(old: Any, new: Any) -> dict[str, Any]:
    """One field's entry: {"from": old, "to": new}."""
    return {"from": _plain(old), "to": _plain(new)}


def _is_change(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"from", "to"}


def changes_shape(changes: dict | None) -> dict[str, dict[str, Any]]:
    """`changes` in the one stored shape, {field: {"from": old, "to": new}}.

    Services pass `diff(...)` (changed fields), `change(old, new)` entries, or plain values
    for what an event set or records (a creation's fields, a comment, counts): a plain value
    becomes {"from": None, "to": value}."""
    return {
        str(name): change(value["from"], value["to"]) if _is_change(value) else change(None, value)
        for name, value in (changes or {}).items()
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}} for the fields whose value changed."""
    return {
        name: {"from": before.get(name), "to": after.get(name)}
        for name in after
        if before.get(name) != after.get(name)
    }


def audit_fields(
    *,
    actor,
    verb: str,
    target: models.Model,
    initiative: Initiative | None = None,
    changes: dict | None = None,
) -> dict[str, Any]:
    """The field values of the entry `audit_record` writes (a write path that inserts its rows
    with plain SQL builds its entry from these too)."""
    if initiative is None:
        initiative = (
            target if isinstance(target, Initiative) else getattr(target, "initiative", None)
        )
    return {
        "initiative": initiative,
        "actor": actor if getattr(actor, "is_authenticated", False) else None,
        "verb": verb,
        "target_type": target._meta.model_name,
        "target_id": str(getattr(target, "uid", None) or target.pk),
        "target_repr": str(target)[:255],
        "changes": changes_shape(changes),
    }


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    initiative: Initiative | None = None,
    changes: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        **audit_fields(
            actor=actor, verb=verb, target=target, initiative=initiative, changes=changes
        )
    )
