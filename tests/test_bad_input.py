"""Bad input answers 4xx with a message — never a 500 — and every API error is JSON.

Each case here answered 500 (or was accepted) before the input guard, the API's JSON parser and
the field limits: a malformed uid, a lone surrogate or NUL in any field, deeply nested JSON,
over-long text, an unknown API address and an oversized body.
"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from collective.core.models import Partner
from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db

SURROGATE = "\ud800"
PAST = "2025-03"


def _raw(api, method, url, body: str, **extra):
    """Send a JSON body as text (json.dumps would refuse nothing, the test client re-encodes)."""
    return getattr(api, method)(url, data=body.encode("utf-8", "surrogatepass"),
                                content_type="application/json", **extra)  # fmt: skip


def _json_error(response, status):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message"] and "code" in body and "errors" in body
    return body


@pytest.fixture
def draft_outcome(world):
    from collective.agenda.tests.helpers import draft_with_tree

    version, _goal, outcome, _sub = draft_with_tree(world)
    return version, outcome


@pytest.mark.parametrize("method", ["delete", "patch", "get"])
def test_a_malformed_outcome_uid_is_not_found(api_as, draft_outcome, method):
    response = getattr(api_as("backbone"), method)(
        "/api/v1/initiatives/acme/outcomes/not-a-uuid/", {"revision": 1}, format="json"
    )
    _json_error(response, 404)


def test_delete_with_a_list_body_is_refused_cleanly(api_as, draft_outcome):
    _version, outcome = draft_outcome
    response = api_as("backbone").delete(
        f"/api/v1/initiatives/acme/outcomes/{outcome.outcome.uid}/", [1, 2], format="json"
    )
    # No revision could be read from the body: refused like a stale one (409), not a 500.
    assert response.status_code in (400, 409) and response.json()["message"]


@pytest.fixture
def indicator(world):
    from collective.measurement import services

    return services.indicator_create(
        actor=world.users["backbone"], initiative=world.initiative, code="PEOPLE", name="People"
    )


@pytest.mark.parametrize(
    "field", ["indicator", "partner", "period", "breakdown", "value", "numerator", "note"]
)
def test_a_lone_surrogate_in_any_observation_field_is_refused(api_as, world, indicator, field):
    row = {"indicator": "PEOPLE", "partner": str(world.partner.uid), "period": PAST, "value": "4"}
    row[field] = f"x{SURROGATE}"
    body = json.dumps(row, ensure_ascii=True)  # "\\ud800": valid JSON, invalid text
    response = _raw(api_as("backbone"), "post", "/api/v1/initiatives/acme/observations/", body)
    error = _json_error(response, 400)
    assert error["errors"] == {field: ["Contains an invalid character (a lone UTF-16 surrogate)."]}


@pytest.mark.parametrize("text", [f"bad {SURROGATE}", "bad \x00 nul"])
def test_bad_characters_in_a_review_comment_are_refused(api_as, world, indicator, text):
    obs, _ = save_value(
        actor=world.users["contributor"],
        indicator=indicator,
        partner=world.partner,
        period=PAST,
        value=3,
    )
    body = json.dumps({"approve": False, "comment": text})
    response = _raw(
        api_as("backbone"), "post", f"/api/v1/initiatives/acme/observations/{obs.uid}/review/", body
    )
    assert list(_json_error(response, 400)["errors"]) == ["comment"]


def test_a_review_with_a_list_body_is_refused(api_as, world, indicator):
    obs, _ = save_value(
        actor=world.users["backbone"],
        indicator=indicator,
        partner=world.partner,
        period=PAST,
        value=3,
    )
    response = api_as("backbone").post(
        f"/api/v1/initiatives/acme/observations/{obs.uid}/review/", [1], format="json"
    )
    _json_error(response, 400)


@pytest.mark.parametrize("role", ["anonymous", "backbone"])
@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/initiatives/acme/partners/"])
def test_deeply_nested_json_is_refused(api_as, world, role, url):
    body = "[" * 100_000 + "]" * 100_000
    response = _raw(api_as(role), "post", url, body)
    assert response.status_code in (400, 401, 403), response.status_code
    assert response["Content-Type"].startswith("application/json")
    nested = "[" * 30 + "]" * 30
    response = _raw(api_as(role), "post", url, json.dumps({"name": json.loads(nested)}))
    assert response.status_code in (400, 401, 403), response.status_code


def test_nul_in_any_text_is_refused(api_as, world):
    response = api_as("backbone").post(
        "/api/v1/initiatives/acme/partners/",
        {"name": "Nul\x00Partner", "kind": "team"},
        format="json",
    )
    assert _json_error(response, 400)["errors"] == {
        "name": ["Contains a NUL character, which text may not contain."]
    }


def test_nul_in_a_query_or_a_form_is_refused(client, world):
    client.force_login(world.users["backbone"])
    response = client.get("/i/acme/members/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert b"cannot be accepted" in response.content
    response = client.post(
        "/i/acme/partners/new/",
        "name=x%00&kind=team",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    # Multipart forms are left to the form fields, which refuse NUL too.
    response = client.post("/i/acme/partners/new/", {"name": "x\x00", "kind": "team"})
    assert response.status_code == 200 and b"Null characters are not allowed" in response.content
    assert not Partner.objects.filter(name__startswith="x").exists()
    api = APIClient()
    api.force_authenticate(world.users["backbone"])
    _json_error(api.get("/api/v1/initiatives/acme/members/", {"search": "\x00"}), 400)


def test_a_nul_in_the_address_is_refused(api_as, world, indicator):
    _json_error(api_as("backbone").get("/api/v1/initiatives/acme/indicators/PE%00OPLE/"), 400)


def test_over_long_text_is_refused(api_as, world):
    megabyte = "x" * 1_000_000
    response = api_as("backbone").patch(
        f"/api/v1/initiatives/acme/partners/{world.partner.uid}/",
        {"description": megabyte},
        format="json",
    )
    assert "description" in _json_error(response, 400)["errors"]
    response = api_as("backbone").patch(
        "/api/v1/initiatives/acme/", {"purpose": "y" * 5_000}, format="json"
    )
    assert "purpose" in _json_error(response, 400)["errors"]


def test_ten_thousand_breakdown_values_are_refused(api_as, world):
    response = api_as("backbone").post(
        "/api/v1/initiatives/acme/indicators/",
        {
            "code": "MANY",
            "name": "Many",
            "breakdown_dimension": "Street",
            "breakdown_values": [f"v{i}" for i in range(10_000)],
        },
        format="json",
    )
    assert "breakdown_values" in _json_error(response, 400)["errors"]


def test_unknown_api_addresses_answer_json_404(api_as, world):
    for url in ("/api/v1/nothing-here/", "/api/v1/initiatives/acme/nothing/", "/api/x"):
        _json_error(api_as("backbone").get(url), 404)
    # Pages keep their HTML 404.
    assert APIClient().get("/nothing-here/")["Content-Type"].startswith("text/html")


@override_settings(API_MAX_BODY_BYTES=1000)
def test_an_oversized_api_body_answers_json_413(api_as, world):
    response = api_as("backbone").post(
        "/api/v1/initiatives/acme/partners/", {"name": "x" * 2000, "kind": "team"}, format="json"
    )
    assert _json_error(response, 413)["code"] == "too_large"


def test_page_size_must_be_a_whole_number_in_range(api_as, world):
    api = api_as("backbone")
    for bad in ("null", "0", "-1", "501", "abc", "1.5"):
        response = api.get("/api/v1/initiatives/acme/partners/", {"page_size": bad})
        assert list(_json_error(response, 400)["errors"]) == ["page_size"], bad
    assert api.get("/api/v1/initiatives/acme/partners/", {"page_size": "2"}).status_code == 200


def test_a_form_post_with_a_json_content_type_to_a_page_is_not_a_500(client, world):
    client.force_login(world.users["backbone"])
    response = client.post(
        reverse("core:partner-create", kwargs={"slug": "acme"}),
        data="[" * 10_000,
        content_type="application/json",
    )
    assert response.status_code < 500
