"""Two people save the same draft at the same moment: exactly one save wins, the other is
refused (no silent overwrite). Real threads and connections, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from collective.agenda import services
from collective.agenda.models import AgendaVersion
from collective.core.errors import ApplicationError


def _save_waiting_for_the_lock(actor, version, revision, text) -> None:
    """The service call, retried while another connection holds the write lock.

    A file database waits for the lock (busy_timeout); the in-memory SQLite database the tests
    use shares one cache between connections and reports "table is locked" at once instead.
    Waiting here gives the test what production does, so it checks the revision rule, not luck.
    """
    for _attempt in range(500):
        try:
            services.agenda_update(actor=actor, version=version, revision=revision, vision=text)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01)
        else:
            return
    raise AssertionError("The write lock was never released.")


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
            _save_waiting_for_the_lock(backbone, mine, seen, text)
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
