"""Webhooks: Standard Webhooks signatures (checked with the `standardwebhooks` library against
a local receiver), retries with backoff, Retry-After, 3xx as failure, 410 disabling, rotation,
Slack and Teams formats, replay, and the SSRF guard."""

from __future__ import annotations

import datetime as dt
import json
import socket
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook

from collective.communication import outbound, services
from collective.communication.models import WebhookDelivery, WebhookEndpoint
from collective.communication.services import webhooks
from collective.core.errors import ApplicationError

from .helpers import make_decision, make_webhook


def _endpoint(w, receiver, **extra):
    return services.webhook_create(
        actor=w.users["backbone"],
        initiative=w.initiative,
        name="Receiver",
        url=receiver.url(),
        **extra,
    )


def test_delivery_is_signed_to_the_standard(world, receiver, commits):
    endpoint = _endpoint(world, receiver)
    with commits():  # decision.taken is emitted; the in-process task backend delivers it
        make_decision(world)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    payload = Webhook(endpoint.secret).verify(request["body"], headers)
    assert payload["type"] == "decision.taken"
    assert set(payload["data"]) >= {"id", "object", "url", "title", "initiative"}
    assert payload["data"]["object"] == "decision"
    assert headers["webhook-id"].startswith("msg_")
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "succeeded" and delivery.attempts == 1
    assert delivery.message_id == headers["webhook-id"]


def test_rotation_signs_with_both_secrets_during_the_overlap(world, receiver, commits):
    endpoint = _endpoint(world, receiver)
    old = endpoint.secret
    services.webhook_rotate_secret(actor=world.users["backbone"], endpoint=endpoint)
    with commits():
        make_decision(world)
    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request["body"], headers)
    Webhook(endpoint.secret).verify(request["body"], headers)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)), commits():
        services.delivery_replay(
            actor=world.users["backbone"], delivery=WebhookDelivery.objects.get()
        )
    request = receiver.requests[-1]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert len(headers["webhook-signature"].split(" ")) == 1


def test_failures_retry_with_backoff_then_succeed_keeping_the_id(world, receiver, commits):
    endpoint = _endpoint(world, receiver)
    receiver.replies = [(500, {}), (302, {"Location": "https://elsewhere.example/"}), (204, {})]
    start = timezone.now()
    with time_machine.travel(start, tick=False), commits():
        make_decision(world)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "retrying" and delivery.attempts == 1
    assert 4 <= (delivery.next_attempt_at - start).total_seconds() <= 6  # 5 s ± 20 %
    with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        assert webhooks.deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.state == "retrying" and delivery.attempts == 2  # a redirect is a failure
    assert "Redirect" in delivery.last_error
    with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        webhooks.deliveries_retry_due()
    delivery.refresh_from_db()
    assert delivery.state == "succeeded" and delivery.attempts == 3
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert len(ids) == 1  # the same message id on every attempt
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.active


def test_retry_after_is_respected(world, receiver, commits):
    _endpoint(world, receiver)
    receiver.replies = [(429, {"Retry-After": "120"})]
    start = timezone.now()
    with time_machine.travel(start, tick=False), commits():
        make_decision(world)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.next_attempt_at - start).total_seconds() >= 120


def test_410_gone_disables_the_endpoint_and_tells_its_owner(world, receiver, commits):
    endpoint = _endpoint(world, receiver)
    receiver.replies = [(410, {})]
    with commits():
        make_decision(world)
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().state == "failed"
    owner_note = world.users["backbone"].notifications.filter(kind="webhook").get()
    assert "switched off" in owner_note.title
    with commits():
        make_decision(world, title="Another")
    assert len(receiver.requests) == 1  # nothing more is sent to a disabled endpoint


def test_repeated_failure_disables_after_the_limit(world, receiver, commits):
    endpoint = _endpoint(world, receiver)
    receiver.replies = [(500, {})] * 50
    with mock.patch.object(webhooks, "DISABLE_AFTER", 3):
        for n in range(3):
            with commits():
                make_decision(world, title=f"D {n}")
    endpoint.refresh_from_db()
    assert not endpoint.active and "3 deliveries in a row failed" in endpoint.disabled_reason


def test_gives_up_after_the_last_retry(world, receiver, commits):
    _endpoint(world, receiver)
    receiver.replies = [(500, {})] * 20
    with commits():
        make_decision(world)
    delivery = WebhookDelivery.objects.get()
    for _ in range(len(webhooks.RETRY_DELAYS)):
        webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == len(webhooks.RETRY_DELAYS) + 1


def test_slack_and_teams_formats(world, receiver, commits):
    _endpoint(world, receiver, format="slack")
    services.webhook_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        name="Teams",
        url=receiver.url("/teams"),
        format="teams",
    )
    with commits():
        make_decision(world)
    by_path = {r["path"]: json.loads(r["body"]) for r in receiver.requests}
    slack = by_path["/hook"]
    assert slack["blocks"][0]["type"] == "section" and "text" in slack
    assert slack["blocks"][-1]["elements"][0]["url"].endswith("/decisions/1/")
    teams = by_path["/teams"]
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"


def test_replay_sends_the_same_payload_as_a_new_message(world, receiver, commits):
    _endpoint(world, receiver)
    with commits():
        make_decision(world)
    first = WebhookDelivery.objects.get()
    with commits():
        replay = services.delivery_replay(actor=world.users["backbone"], delivery=first)
    replay.refresh_from_db()
    assert replay.state == "succeeded" and replay.payload == first.payload
    assert replay.message_id != first.message_id
    assert len(receiver.requests) == 2


def test_events_filter(world, receiver, commits):
    _endpoint(world, receiver, events=["action.created"])
    with commits():
        make_decision(world)
    assert receiver.requests == []


def test_a_slow_receiver_never_blocks_a_request(world, receiver, commits, client, settings):
    """With the worker's task backend, a person's request only records the delivery."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    _endpoint(world, receiver)
    receiver.delay = 5
    client.force_login(world.users["backbone"])
    started = timezone.now()
    with commits():
        response = client.post(
            f"/i/{world.initiative.slug}/communication/decisions/new/",
            {"title": "Pilot", "statement": "We pilot it.", "method": "backbone"},
        )
    elapsed = (timezone.now() - started).total_seconds()
    assert response.status_code == 302
    assert elapsed < 3
    assert receiver.requests == []
    assert WebhookDelivery.objects.get().state == "pending"


def test_timeouts_count_as_failures(world, receiver, commits):
    _endpoint(world, receiver)
    receiver.delay = 2
    with mock.patch.object(outbound, "READ_TIMEOUT", 0.5), commits():
        make_decision(world)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "retrying" and "timed out" in delivery.last_error.lower()


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "Only http:// and https://"),
        ("javascript:alert(1)", "Only http:// and https://"),
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://0.0.0.0/hook", "not public"),
        ("http://user:pw@example.com/hook", "no user name"),
    ],
)
def test_unsafe_addresses_are_refused_and_nothing_is_saved(world, url, message):
    with pytest.raises(ApplicationError) as error:
        services.webhook_create(
            actor=world.users["backbone"], initiative=world.initiative, name="X", url=url
        )
    assert message in error.value.message and "url" in error.value.errors
    assert not WebhookEndpoint.objects.exists()


def test_a_name_resolving_to_a_private_address_is_refused(world):
    private = [(2, 1, 6, "", ("10.0.0.7", 443))]
    with (
        mock.patch("socket.getaddrinfo", return_value=private),
        pytest.raises(ApplicationError, match="private"),
    ):
        services.webhook_create(
            actor=world.users["backbone"],
            initiative=world.initiative,
            name="X",
            url="https://intranet.example.com/",
        )
    assert not WebhookEndpoint.objects.exists()


def test_dns_rebinding_is_caught_when_sending(world, commits):
    """Public when the webhook was saved, private when it is sent: refused, nothing sent."""
    endpoint = make_webhook(world)
    # make_webhook resolved the name to a public address; now the same name answers private.
    answers = iter([[(2, 1, 6, "", ("10.0.0.7", 443))]])
    connections = []
    with (
        mock.patch("socket.getaddrinfo", side_effect=lambda *a, **k: next(answers)),
        mock.patch("socket.create_connection", side_effect=lambda *a, **k: connections.append(a)),
        commits(),
    ):
        make_decision(world)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == "retrying" and "private" in delivery.last_error
    assert connections == []


def test_the_resolved_address_is_pinned_for_the_request(world, receiver, commits):
    """One resolution per request; the connection goes to the address checked, with the
    name in the Host header (a second, different DNS answer is never used)."""
    calls = []
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        calls.append(host)
        if host == "hook.test":
            # First answer public-looking loopback (allowed in tests), then an address that
            # would be refused: only the first is ever used.
            return (
                real("127.0.0.1", port, *args, **kwargs)
                if len(calls) == 1
                else [(2, 1, 6, "", ("10.0.0.9", port))]
            )
        return real(host, port, *args, **kwargs)

    with mock.patch("socket.getaddrinfo", side_effect=resolver):
        response = outbound.post(
            f"http://hook.test:{receiver.port}/pinned", b"{}", {"Content-Type": "application/json"}
        )
    assert response.status == 204
    # The name is resolved once; the only other look-up is of the pinned address itself.
    assert calls.count("hook.test") == 1
    assert set(calls) <= {"hook.test", "127.0.0.1"}
    assert receiver.requests[0]["headers"]["Host"] == f"hook.test:{receiver.port}"


def test_resolve_checks_every_answer():
    answers = [(2, 1, 6, "", ("93.184.215.14", 443)), (2, 1, 6, "", ("192.168.1.1", 443))]
    with (
        mock.patch("socket.getaddrinfo", return_value=answers),
        pytest.raises(outbound.UnsafeURL, match="private"),
    ):
        outbound.resolve("https://mixed.example.com/")
