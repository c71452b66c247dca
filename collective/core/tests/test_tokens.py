"""No secrets at rest: API tokens are stored hashed, named, expire and can be revoked from the
profile page; invitation and password-reset links never sit in the task queue's stored rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from collective.core import services
from collective.core.choices import Role
from collective.core.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _token(username="bb", name=""):
    response = APIClient().post(
        reverse("api:auth-token"),
        {"username": username, "password": PASSWORD, "name": name},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _api(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def _database_text(model) -> str:
    return " ".join(str(row) for row in model.objects.values_list())


def test_tokens_are_stored_as_a_digest_only(world):
    body = _token(name="Nightly import")
    token = body["token"]
    assert body["name"] == "Nightly import" and body["expiry"]
    stored = ApiToken.objects.get()
    assert stored.name == "Nightly import" and stored.user == world.users["backbone"]
    assert token not in _database_text(ApiToken)
    assert stored.token_key == token[: len(stored.token_key)] and len(token) > 2 * len(
        stored.token_key
    )
    assert _api(token).get("/api/v1/initiatives/").status_code == 200


def test_the_token_records_when_it_was_last_used(world):
    token = _token()["token"]
    assert ApiToken.objects.get().last_used_at is None
    _api(token).get("/api/v1/initiatives/")
    assert ApiToken.objects.get().last_used_at is not None


def test_an_expired_token_no_longer_works(world):
    token = _token()["token"]
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = _api(token).get("/api/v1/initiatives/acme/partners/")
    assert response.status_code == 401
    assert not ApiToken.objects.exists()  # knox removes expired tokens as it meets them


def test_the_profile_page_lists_creates_and_revokes_tokens(client, world):
    user = world.users["backbone"]
    client.force_login(user)
    api_token = _token(name="Spreadsheet sync")["token"]
    page = client.get(reverse("core:profile")).content.decode()
    assert "Spreadsheet sync" in page and "never" in page and api_token not in page

    response = client.post(reverse("core:token-create"), {"name": "Reporting bot", "days": "30"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    created = ApiToken.objects.get(name="Reporting bot")
    assert created.expiry.date() == (timezone.now() + timedelta(days=30)).date()
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert _api(secret).get("/api/v1/initiatives/").status_code == 200
    assert secret not in client.get(reverse("core:profile")).content.decode()  # shown once

    response = client.post(reverse("core:token-revoke", kwargs={"uid": created.uid}))
    assert response.status_code == 302
    assert _api(secret).get("/api/v1/initiatives/").status_code == 401
    assert _api(api_token).get("/api/v1/initiatives/").status_code == 200


def test_a_bad_token_form_keeps_the_page(client, world):
    client.force_login(world.users["backbone"])
    response = client.post(reverse("core:token-create"), {"name": "x", "days": "7"})
    assert response.status_code == 400 and not ApiToken.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_someone_elses_token_cannot_be_revoked(client, world):
    token, _secret = services.api_token_create(actor=world.users["backbone"], name="Mine")
    client.force_login(world.users["viewer"])
    response = client.post(reverse("core:token-revoke", kwargs={"uid": token.uid}))
    assert response.status_code == 404 and ApiToken.objects.filter(pk=token.pk).exists()


# --- Links in the task queue -------------------------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _stored_task_text() -> str:
    from django_tasks_db.models import DBTaskResult

    return _database_text(DBTaskResult)


def _run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0")


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_no_invitation_link_is_stored_with_its_task(world, django_capture_on_commit_callbacks):
    from collective.core.models import Invitation

    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=world.users["backbone"],
            initiative=world.initiative,
            email="new.person@example.org",
            role=Role.VIEWER,
        )
    stored = _stored_task_text()
    assert "send_invitation_email" in stored and str(invitation.pk) in stored
    assert token not in stored and "/invitations/" not in stored
    assert token not in _database_text(Invitation)
    assert mail.outbox == []
    _run_worker()
    [email] = mail.outbox
    link = reverse("core:invitation-accept", kwargs={"token": token})
    assert link in email.body and email.to == ["new.person@example.org"]
    assert token not in _stored_task_text()  # nor in the stored result


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_withdrawn_invitation_is_not_sent(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _token = services.invitation_create(
            actor=world.users["backbone"],
            initiative=world.initiative,
            email="late@example.org",
            role=Role.VIEWER,
        )
    services.invitation_revoke(actor=world.users["backbone"], invitation=invitation)
    _run_worker()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_no_password_reset_link_is_stored_with_its_task(client, world):
    client.post(reverse("password_reset"), {"email": "bb@example.org"})
    stored = _stored_task_text()
    assert "send_password_reset_email" in stored
    assert "/accounts/reset/" not in stored and "reset" not in stored.replace(
        "send_password_reset_email", ""
    )
    _run_worker()
    [email] = mail.outbox
    assert "/accounts/reset/" in email.body and email.to == ["bb@example.org"]
    link = email.body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    assert link not in _stored_task_text()
    # The link works: it leads to the form for a new password.
    response = client.get(link, follow=True)
    assert response.status_code == 200 and "new_password1" in response.content.decode()


def test_invitation_links_still_accept(client, world):
    invitation, token = services.invitation_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        email="joiner@example.org",
        role=Role.VIEWER,
    )
    assert services.invitation_get_by_token(token) == invitation
    response = client.get(reverse("core:invitation-accept", kwargs={"token": token}))
    assert response.status_code == 200
