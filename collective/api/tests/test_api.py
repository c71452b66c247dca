"""API contracts: token auth, JSON errors per field, scoping, schema and offline docs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from collective.core.models import Partner
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_auth_round_trip(world):
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": "bb", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listing = api.get("/api/v1/initiatives/").json()
    assert [i["slug"] for i in listing["results"]] == ["acme"]
    assert listing["results"][0]["my_role"] == "backbone"


def test_bad_credentials_answer_json_with_a_message():
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"] and "non_field_errors" in body["errors"]


def test_partner_create_errors_are_per_field_and_save_nothing(api_as, world):
    api = api_as("backbone")
    before = Partner.objects.count()
    response = api.post(
        "/api/v1/initiatives/acme/partners/", {"name": "Operations", "kind": "team"}, format="json"
    )
    assert response.status_code == 409  # a conflict: the name exists already
    assert response.json()["errors"] == {"name": ["Already used in this initiative."]}
    response = api.post(
        "/api/v1/initiatives/acme/partners/", {"name": "New", "kind": "weird"}, format="json"
    )
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert Partner.objects.count() == before


def test_partner_tree_via_api(api_as, world):
    api = api_as("backbone")
    response = api.post(
        "/api/v1/initiatives/acme/partners/",
        {"name": "Night shift", "kind": "team", "parent": str(world.subpartner.uid)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["depth"] == 2
    foreign = Partner.objects.create(initiative=world.other, name="Theirs", path="/x/")
    response = api.patch(
        f"/api/v1/initiatives/acme/partners/{world.partner.uid}/",
        {"parent": str(foreign.uid)},
        format="json",
    )
    assert response.status_code == 400


def test_private_initiative_is_404_for_outsiders_in_the_api(api_as, world):
    api = api_as("outsider")
    assert api.get("/api/v1/initiatives/acme/").status_code == 404
    assert api.get("/api/v1/initiatives/acme/partners/").status_code == 404
    assert api.get("/api/v1/initiatives/").json()["count"] == 1  # only their own


def test_member_emails_are_for_the_backbone_only(api_as, world):
    viewer_rows = api_as("viewer").get("/api/v1/initiatives/acme/members/").json()["results"]
    assert all(row["email"] == "" for row in viewer_rows)
    bb_rows = api_as("backbone").get("/api/v1/initiatives/acme/members/").json()["results"]
    assert any(row["email"] for row in bb_rows)


def test_last_backbone_refusal_is_json(api_as, world):
    api = api_as("backbone")
    rows = api.get("/api/v1/initiatives/acme/members/", {"role": "backbone"}).json()["results"]
    response = api.delete(f"/api/v1/initiatives/acme/members/{rows[0]['id']}/")
    assert response.status_code == 409
    assert response.json()["code"] == "last_backbone"


def test_lists_are_paginated(api_as, world):
    body = api_as("viewer").get("/api/v1/initiatives/acme/partners/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_schema_is_valid_openapi(client):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/v1/initiatives/{slug}/partners/" in schema["paths"]


def test_swagger_ui_is_served_offline(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html.split("<body")[0]
