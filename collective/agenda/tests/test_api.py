"""API of the common agenda: versions and transitions, the outcome tree, consultation items,
endorsements; errors in the one JSON shape; the OpenAPI schema stays valid."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.agenda.models import AgendaVersion, ConsultationItem

from .helpers import adopted_version, draft_with_tree, in_consultation

pytestmark = pytest.mark.django_db


def api_url(name, world, **kwargs):
    return reverse(f"api:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def test_backbone_drafts_edits_consults_and_adopts_through_the_api(world, api_as):
    api = api_as("backbone")
    response = api.post(api_url("agenda-version-list", world), {"title": "API"}, format="json")
    assert response.status_code == 201, response.json()
    number, revision = response.json()["number"], response.json()["revision"]
    detail = api_url("agenda-version-detail", world, number=number)
    response = api.patch(detail, {"revision": revision, "vision": "A vision"}, format="json")
    assert response.status_code == 200 and response.json()["revision"] == revision + 1
    stale = api.patch(detail, {"revision": revision, "vision": "Overwrite"}, format="json")
    assert stale.status_code == 409  # a conflict: the draft changed meanwhile
    assert stale.json()["code"] == "stale" and "revision" in stale.json()["errors"]
    assert AgendaVersion.objects.get(number=number).vision == "A vision"

    adopt = api_url("agenda-version-adopt", world, number=number)
    refused = api.post(adopt, {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "no_outcomes"

    goal = api.post(
        api_url("outcome-list", world),
        {"revision": revision + 1, "statement": "The goal", "horizon": "long"},
        format="json",
    )
    assert goal.status_code == 201, goal.json()
    child = api.post(
        api_url("outcome-list", world),
        {
            "revision": revision + 2,
            "statement": "An outcome",
            "parent": goal.json()["uid"],
            "lead_partner": str(world.partner.uid),
            "co_partners": [str(world.other_partner.uid)],
        },
        format="json",
    )
    assert child.status_code == 201, child.json()
    assert child.json()["kind"] == "outcome" and child.json()["depth"] == 1
    tree = api.get(api_url("outcome-list", world)).json()["results"]
    assert [(n["statement"], n["parent"]) for n in tree] == [
        ("The goal", None),
        ("An outcome", goal.json()["uid"]),
    ]
    assert tree[1]["co_partners"] == [str(world.other_partner.uid)]

    opened = api.post(api_url("agenda-version-open-consultation", world, number=number))
    assert opened.json()["status"] == "consultation"
    closed = api.post(api_url("agenda-version-close-consultation", world, number=number))
    assert closed.json()["status"] == "draft" and closed.json()["consultation_summary"]
    adopted = api.post(adopt, {"rationale": "Because"}, format="json")
    assert adopted.status_code == 200 and adopted.json()["status"] == "adopted"


def test_outcome_patch_moves_and_delete_needs_the_revision(world, api_as):
    version, goal, outcome, sub = draft_with_tree(world)
    api = api_as("backbone")
    detail = api_url("outcome-detail", world, uid=sub.outcome.uid)
    response = api.patch(
        detail,
        {"revision": version.revision, "statement": "Moved up", "parent": str(goal.outcome.uid)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["statement"] == "Moved up" and response.json()["kind"] == "outcome"
    version.refresh_from_db()
    assert api.delete(detail).status_code == 400  # no revision: refused, nothing deleted
    assert api.delete(detail + f"?revision={version.revision}").status_code == 204
    bad = api.patch(
        api_url("outcome-detail", world, uid=outcome.outcome.uid),
        {"revision": version.revision + 1, "lead_partner": str(world.other.pk) + "x"},
        format="json",
    )
    assert bad.status_code == 400 and "lead_partner" in bad.json()["errors"]


def test_consultation_items_and_decisions(world, api_as):
    version = in_consultation(world)
    items = api_url("agenda-item-list", world, number=version.number)
    response = api_as("contributor").post(
        items,
        {"kind": "amendment", "section": "vision", "proposed_text": "Live in a week."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    uid = response.json()["uid"]
    assert response.json()["base_text"] == "Every customer is live within 14 days."
    reply = api_as("lead").post(
        items, {"kind": "comment", "parent": uid, "body": "Bold!"}, format="json"
    )
    assert reply.status_code == 201 and reply.json()["parent"] == uid
    bad = api_as("contributor").post(items, {"kind": "comment", "section": "vision"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"] == {"body": ["Required."]}
    listing = api_as("viewer").get(items + "?kind=amendment").json()
    assert [i["uid"] for i in listing["results"]] == [uid]
    decide = api_url("agenda-item-decide", world, number=version.number, uid=uid)
    response = api_as("backbone").post(
        decide, {"decision": "accept", "reason": "Yes."}, format="json"
    )
    assert response.json()["status"] == "accepted"
    version.refresh_from_db()
    assert version.vision == "Live in a week."


def test_amending_a_closed_consultation_is_refused_by_the_api(world, api_as):
    version = in_consultation(world)
    api_as("backbone").post(api_url("agenda-version-close-consultation", world, number=2))
    response = api_as("contributor").post(
        api_url("agenda-item-list", world, number=version.number),
        {"kind": "amendment", "section": "vision", "proposed_text": "x"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "closed"
    assert not ConsultationItem.objects.exists()


def test_endorsements_through_the_api(world, api_as):
    version = adopted_version(world)
    url = api_url("agenda-endorsement-list", world, number=version.number)
    response = api_as("lead").post(
        url, {"stance": "reservations", "reservations": "Too fast."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["partner"] == str(world.partner.uid)
    listing = api_as("viewer").get(url).json()["results"]
    assert [(e["partner_name"], e["stance"]) for e in listing] == [("Operations", "reservations")]


def test_public_api_shows_only_the_adopted_version(world, api_as):
    from collective.core.models import Initiative

    adopted_version(world)
    draft = api_as("backbone").post(api_url("agenda-version-list", world), {}, format="json")
    assert draft.status_code == 201
    Initiative.objects.filter(pk=world.initiative.pk).update(visibility="public")
    anonymous = api_as("anonymous")
    numbers = [
        v["number"] for v in anonymous.get(api_url("agenda-version-list", world)).json()["results"]
    ]
    assert numbers == [1]
    assert anonymous.get(api_url("agenda-version-detail", world, number=2)).status_code == 404
    tree = anonymous.get(api_url("outcome-list", world)).json()["results"]
    assert len(tree) == 3
    assert anonymous.get(api_url("agenda-item-list", world, number=1)).status_code in (401, 403)


def test_schema_is_valid(client):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    assert client.get(reverse("api:schema")).status_code == 200
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    assert "/api/v1/initiatives/{slug}/agenda/{number}/adopt/" in paths
    assert "/api/v1/initiatives/{slug}/agenda/{number}/items/" in paths


def test_a_refused_move_leaves_the_rewording_unsaved(world, api_as):
    version, _goal, outcome, sub = draft_with_tree(world)
    revision = version.revision
    response = api_as("backbone").patch(
        api_url("outcome-detail", world, uid=outcome.outcome.uid),
        {"revision": revision, "statement": "Reworded", "parent": str(sub.outcome.uid)},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "errors"}
    assert "parent" in response.json()["errors"]
    outcome.refresh_from_db()
    version.refresh_from_db()
    assert outcome.statement == "Hand-offs take less than a day"  # nothing half-saved
    assert version.revision == revision


def test_unknown_or_read_only_fields_are_refused_not_ignored(world, api_as):
    version, *_ = draft_with_tree(world)
    api = api_as("backbone")
    response = api.patch(
        api_url("agenda-version-detail", world, number=version.number),
        {"revision": version.revision, "status": "adopted", "visoin": "typo"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) == {"status", "visoin"}
    assert "send only: revision, title" in body["errors"]["status"][0]
    version.refresh_from_db()
    assert version.status == "draft"
    endorse = api_as("lead").post(
        api_url("agenda-endorsement-list", world, number=version.number),
        {"stance": "endorsed", "partner": str(world.other_partner.uid)},
        format="json",
    )
    assert endorse.status_code == 400 and "partner" in endorse.json()["errors"]


def test_api_payload_errors_have_one_shape(world, api_as):
    version, _goal, outcome, _sub = draft_with_tree(world)
    api = api_as("backbone")
    detail = api_url("outcome-detail", world, uid=outcome.outcome.uid)
    for payload, field in [
        ([1, 2], "non_field_errors"),
        ({"revision": "x"}, "revision"),
        ({"revision": version.revision, "co_partners": "abc"}, "co_partners"),
        ({"revision": version.revision, "horizon": "eternal"}, "horizon"),
        ({"revision": version.revision, "parent": "nope"}, "parent"),
        ({"revision": version.revision, "statement": "x" * 301}, "statement"),
    ]:
        response = api.patch(detail, payload, format="json")
        assert response.status_code == 400, payload
        assert set(response.json()) == {"message", "code", "errors"}, payload
        assert field in response.json()["errors"], payload
    broken = api.generic("PATCH", detail, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"
    stale = api.patch(detail, {"revision": 1, "statement": "Old"}, format="json")
    assert stale.json()["code"] == "stale" and "kept below" not in stale.json()["message"]
