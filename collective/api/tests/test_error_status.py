"""A service's refusal answers with the HTTP status of its kind: forbidden → 403, not found →
404, conflict (a stale revision, something that exists already, a state that no longer
allows it) → 409; the body keeps the one error shape with the refusal's own code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.agenda.tests.helpers import adopted_version, draft_with_tree
from collective.core.models import Partner
from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"api:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def _refusal(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "errors"} and body["code"] == code


def test_a_partner_that_exists_already_is_a_conflict(world, api_as):
    response = api_as("backbone").post(url("partner-list", world), {"name": "sales"}, format="json")
    _refusal(response, 409, "exists")
    assert "name" in response.json()["errors"]
    assert Partner.objects.filter(initiative=world.initiative).count() == 3


def test_deleting_a_partner_with_sub_partners_is_a_conflict(world, api_as):
    response = api_as("backbone").delete(url("partner-detail", world, uid=world.partner.uid))
    _refusal(response, 409, "has_children")
    assert Partner.objects.filter(pk=world.partner.pk).exists()


def test_removing_the_last_backbone_member_is_a_conflict(world, api_as):
    from collective.core.models import Membership

    membership = Membership.objects.get(initiative=world.initiative, user=world.users["backbone"])
    response = api_as("backbone").delete(url("member-detail", world, pk=membership.pk))
    _refusal(response, 409, "last_backbone")


def test_a_stale_agenda_revision_is_a_conflict(world, api_as):
    version, _goal, outcome, _sub = draft_with_tree(world)
    stale = api_as("backbone").patch(
        url("outcome-detail", world, uid=outcome.outcome.uid),
        {"revision": version.revision - 1, "statement": "Old"},
        format="json",
    )
    _refusal(stale, 409, "stale")


def test_a_forbidden_refusal_answers_403(world, api_as):
    """The backbone acts for no partner, so it cannot record a partner's endorsement: the API's
    permission layer says so first (403); the service refuses the same way on its own."""
    from collective.agenda.services import endorsement_record
    from collective.core.api.errors import exception_handler
    from collective.core.errors import ApplicationError

    version = adopted_version(world)
    endorse = url("agenda-endorsement-list", world, number=version.number)
    response = api_as("backbone").post(endorse, {"stance": "endorsed"}, format="json")
    _refusal(response, 403, "permission_denied")
    with pytest.raises(ApplicationError) as refused:
        endorsement_record(
            actor=world.users["backbone"], version=version, partner=world.partner, stance="endorsed"
        )
    answer = exception_handler(refused.value, {})
    assert answer.status_code == 403 and answer.data["code"] == "not_lead"


def test_editing_without_a_draft_is_not_found(world, api_as):
    adopted_version(world)
    response = api_as("backbone").post(
        url("outcome-list", world), {"revision": 1, "statement": "A goal"}, format="json"
    )
    _refusal(response, 404, "no_draft")


def test_entering_a_value_for_another_partner_is_forbidden(world):
    from collective.core.api.errors import exception_handler
    from collective.core.errors import ApplicationError
    from collective.measurement import services

    people = services.indicator_create(
        actor=world.users["backbone"], initiative=world.initiative, code="PEOPLE", name="People"
    )
    with pytest.raises(ApplicationError) as refused:
        save_value(
            actor=world.users["contributor"],
            indicator=people,
            partner=world.other_partner,
            period="2025-01",
            value=3,
        )
    answer = exception_handler(refused.value, {})
    assert answer.status_code == 403
    assert [e["field"] for e in answer.data["errors"]["rows"]] == ["partner"]
