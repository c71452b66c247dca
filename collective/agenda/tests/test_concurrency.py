"""Two people save the same draft at the same moment: exactly one save wins, the other is
refused (no silent overwrite). Real threads and connections, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from collective.agenda import services
from collective.agenda.models import AgendaVersion
from collective.core.errors import ApplicationError


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_the_same_revision(world):
    backbone = world.users["backbone"]
    version = services.agenda_draft_create(actor=backbone, initiative=world.initiative)
    seen = version.revision
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(text: str) -> None:
        try:
            mine = AgendaVersion.objects.get(pk=version.pk)
            barrier.wait(timeout=10)
            services.agenda_update(actor=backbone, version=mine, revision=seen, vision=text)
            outcomes[text] = "saved"
        except ApplicationError as error:
            outcomes[text] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["saved", "stale"]
    winner = next(text for text, result in outcomes.items() if result == "saved")
    final = AgendaVersion.objects.get(pk=version.pk)
    assert final.vision == winner and final.revision == seen + 1
