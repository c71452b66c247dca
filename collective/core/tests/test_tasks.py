"""Email goes through the task queue; the database worker delivers it."""

import pytest
from django.core import mail
from django.core.management import call_command

from collective.core.tasks import send_email

pytestmark = pytest.mark.django_db(transaction=True)


def test_database_backend_stores_the_task_and_the_worker_sends_it():
    result = send_email.using(backend="database").enqueue(
        subject="Hello", body="From the worker", to=["someone@example.org"]
    )
    assert mail.outbox == []  # stored, not sent yet
    call_command("db_worker", "--backend", "database", "--batch", "--no-startup-delay", "-v", "0")
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert [m.subject for m in mail.outbox] == ["Hello"]
