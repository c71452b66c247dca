"""The audit log: one shape of `changes`, and entries nobody can change or delete."""

from __future__ import annotations

import importlib

import pytest
from django.db import DatabaseError, connection, transaction

from collective.core import services
from collective.core.audit import audit_record, changes_shape
from collective.core.models import AuditEvent, AuditLogIsAppendOnly
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _is_change(value) -> bool:
    return isinstance(value, dict) and set(value) == {"from", "to"}


def test_every_entry_has_one_shape(world):
    backbone = world.users["backbone"]
    services.initiative_update(actor=backbone, initiative=world.initiative, stage="late")
    services.partner_create(actor=backbone, initiative=world.initiative, name="Finance")
    entries = list(AuditEvent.objects.all())
    assert len(entries) > 5
    for entry in entries:
        assert all(_is_change(value) for value in entry.changes.values()), entry.changes
    created = AuditEvent.objects.filter(verb="created", target_type="partner").latest("id")
    assert created.changes["name"] == {"from": None, "to": "Finance"}
    updated = AuditEvent.objects.filter(verb="updated", target_type="initiative").latest("id")
    assert updated.changes == {"stage": {"from": "early", "to": "late"}}


def test_changes_shape_keeps_changes_and_wraps_plain_values():
    assert changes_shape({"a": {"from": 1, "to": 2}, "b": "note", "c": None}) == {
        "a": {"from": 1, "to": 2},
        "b": {"from": None, "to": "note"},
        "c": {"from": None, "to": None},
    }


def test_migration_converts_the_three_old_shapes(world):
    migration = importlib.import_module("collective.core.migrations.0003_audit_changes_shape")
    convert = migration._plain_to_change
    assert convert("stage", {"from": "early", "to": "late"}) == {"from": "early", "to": "late"}
    assert convert("archived", [False, True]) == {"from": False, "to": True}
    assert convert("name", "Finance") == {"from": None, "to": "Finance"}
    assert convert("outcomes", ["A", "B"]) == {"from": None, "to": ["A", "B"]}


def test_the_orm_refuses_to_change_or_delete_an_entry(world):
    entry = audit_record(actor=world.users["backbone"], verb="noted", target=world.initiative)
    entry.verb = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=entry.pk).update(verb="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.verb == "noted"


def test_the_database_refuses_to_change_an_entry(world):
    entry = audit_record(actor=world.users["backbone"], verb="noted", target=world.initiative)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET verb = 'rewritten' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET actor_id = NULL, verb = 'x' WHERE id = %s", [entry.pk]
        )
    entry.refresh_from_db()
    assert entry.verb == "noted"


def test_deleting_a_person_keeps_their_entries(world):
    person = UserFactory(username="leaver")
    entry = audit_record(actor=person, verb="noted", target=world.initiative)
    person.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.verb == "noted"
