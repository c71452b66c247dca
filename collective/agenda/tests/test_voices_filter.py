"""Nudging silent voices: "any level" is None, never an empty string (which is "no level")."""

from __future__ import annotations

import pytest

from collective.agenda.selectors import voices_silent_members
from collective.agenda.tests.helpers import in_consultation

pytestmark = pytest.mark.django_db


def test_level_none_is_everyone_and_none_string_is_no_level(world):
    version = in_consultation(world)
    contributor = world.users["contributor"]
    contributor.level = "frontline"
    contributor.save(update_fields=["level"])
    everyone = {m.user_id for m in voices_silent_members(version)}
    assert contributor.pk in everyone and len(everyone) > 1
    assert {m.user_id for m in voices_silent_members(version, level=None)} == everyone
    no_level = {m.user_id for m in voices_silent_members(version, level="none")}
    assert contributor.pk not in no_level and no_level == everyone - {contributor.pk}
    assert {m.user_id for m in voices_silent_members(version, level="frontline")} == {
        contributor.pk
    }
