"""Sign-in that resists guessing: lockout after 5 wrong passwords (pages, admin, token
endpoint), throttles with Retry-After, and a bounded number of password-reset emails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many wrong passwords"


def _login(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_the_sixth_wrong_password_on_the_sign_in_page_is_refused(client, world):
    for _ in range(5):
        response = _login(client, "bb", "wrong")
        assert response.status_code == 200  # the form again, with its error
        assert LOCKED not in response.content.decode()
    response = _login(client, "bb", "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    # Even the right password is refused while the account is locked.
    response = _login(client, "bb", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_resets_the_count(client, world):
    for _ in range(4):
        _login(client, "bb", "wrong")
    assert _login(client, "bb", PASSWORD).status_code == 302
    client.logout()
    for _ in range(5):
        assert _login(client, "bb", "wrong").status_code == 200


def test_the_lockout_is_per_account(client, world):
    for _ in range(6):
        _login(client, "bb", "wrong")
    assert _login(client, "vw", PASSWORD).status_code == 302


def test_the_sixth_wrong_password_on_the_token_endpoint_is_refused(world):
    api = APIClient()
    url = reverse("api:auth-token")
    for _ in range(5):
        response = api.post(url, {"username": "bb", "password": "wrong"}, format="json")
        assert response.status_code == 400
    response = api.post(url, {"username": "bb", "password": "wrong"}, format="json")
    assert response.status_code == 429, response.json()
    body = response.json()
    assert body["code"] == "throttled" and LOCKED in body["message"]
    assert int(response["Retry-After"]) > 0
    response = api.post(url, {"username": "bb", "password": PASSWORD}, format="json")
    assert response.status_code == 429


def test_the_token_endpoint_is_limited_per_address(world):
    """10 calls a minute from one address, whatever the accounts tried (password spraying)."""
    api = APIClient()
    url = reverse("api:auth-token")
    for n in range(10):
        response = api.post(url, {"username": f"nobody{n}", "password": "x"}, format="json")
        assert response.status_code == 400
    response = api.post(url, {"username": "vw", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_admin_sign_in_locks_out_too(client, world):
    from collective.core.models import User

    User.objects.filter(username="bb").update(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        assert _login(client, "bb", "wrong", url).status_code == 200
    response = _login(client, "bb", "wrong", url)
    assert response.status_code == 429 and response["Retry-After"]


def test_failed_sign_ins_are_limited_per_address(client, world):
    """30 failures an hour from one address across accounts (password spraying); successful
    sign-ins do not count, so an office behind one address still signs in."""
    for _ in range(40):
        assert _login(client, "vw", PASSWORD).status_code == 302
        client.logout()
    for n in range(30):
        assert _login(client, f"someone{n}", "wrong").status_code == 200
    response = _login(client, "vw", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts from your address" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_password_reset_sends_a_few_emails_whatever_the_requests(
    client, world, django_capture_on_commit_callbacks
):
    url = reverse("password_reset")
    answers = []
    for _ in range(10):
        answers.append(client.post(url, {"email": "bb@example.org"}).status_code)
    assert answers == [302] * 10  # the same answer each time: nothing is revealed
    assert len(mail.outbox) == 3
    assert all("/accounts/reset/" in m.body for m in mail.outbox)
    response = client.post(url, {"email": "bb@example.org"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_api_throttles_are_configurable(world, settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], anon="3/m", user="4/m")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    anonymous = APIClient()
    assert [anonymous.get("/api/v1/").status_code for _ in range(4)] == [200, 200, 200, 429]
    signed_in = APIClient()
    signed_in.force_authenticate(world.users["viewer"])
    codes = [signed_in.get("/api/v1/initiatives/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    throttled = signed_in.get("/api/v1/initiatives/")
    assert throttled.json()["code"] == "throttled" and int(throttled["Retry-After"]) > 0
