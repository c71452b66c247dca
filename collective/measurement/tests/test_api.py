"""The measurement API: atomic bulk upsert with per-row errors, single objects, the series,
filters, indicator rules, public access, and who may write what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from collective.core.choices import Visibility
from collective.measurement import services
from collective.measurement.models import Indicator, Observation, Rollup
from collective.measurement.tests.helpers import save_value


@pytest.fixture
def api(world):
    def make(role):
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(world.users[role])
        return client

    return make


@pytest.fixture
def people(make_indicator):
    return make_indicator("PEOPLE", name="People helped", max_value=100)


def _url(world, name="api:observation-list", **kwargs):
    return reverse(name, kwargs={"slug": world.initiative.slug, **kwargs})


def test_bulk_upsert_is_atomic_with_row_errors(world, api, people):
    rows = [
        {"indicator": "PEOPLE", "partner": "Operations", "period": "2025-01", "value": 5},
        {"indicator": "PEOPLE", "partner": "Operations", "period": "2025-02", "value": 500},
        {"indicator": "PEOPLE", "partner": "Nobody", "period": "2025-02", "value": 1},
        {"indicator": "PEOPLE", "partner": "Operations", "period": "2025-01", "value": 6},
        "not an object",
        {"indicator": ["PEOPLE"], "partner": {}, "period": [2025], "value": {}},
    ]
    response = api("backbone").post(_url(world), rows, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "nothing was saved" in body["message"]
    errors = body["errors"]["rows"]
    assert {(e["row"], e["field"]) for e in errors} >= {
        (2, "value"),
        (3, "partner"),
        (4, "row"),
        (5, "row"),
        (6, "indicator"),
    }
    assert not Observation.objects.exists()
    assert not Rollup.objects.exists()

    response = api("backbone").post(_url(world) + "?only_valid=true", rows, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 1
    assert len(response.json()["errors"]) >= 5


def test_single_object_and_upsert_semantics(world, api, people):
    client = api("contributor")
    row = {"indicator": "PEOPLE", "partner": str(world.partner.uid), "period": "2025-01-31",
           "value": "12", "note": "from the API"}  # fmt: skip
    response = client.post(_url(world), row, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] == 1
    assert body["observation"]["period"] == "2025-01"
    assert body["observation"]["value"] == "12.000000"
    assert body["observation"]["source"] == "api"
    response = client.post(_url(world), row, format="json")
    assert response.status_code == 200 and response.json()["unchanged"] == 1
    row["value"] = 13
    response = client.post(_url(world), [row], format="json")
    assert response.json()["updated"] == 1
    assert Observation.objects.get().history.count() == 2


def test_contributor_enters_data_only_for_own_branch(world, api, people):
    client = api("contributor")
    own = {"indicator": "PEOPLE", "partner": "Ops Team North", "period": "2025-01", "value": 1}
    other = {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-01", "value": 1}
    response = client.post(_url(world), [own, other], format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["rows"] == [
        {
            "row": 2,
            "field": "partner",
            "message": "You may enter data only for your own partner and its sub-partners, "
            "not for Sales.",
        }
    ]
    assert client.post(_url(world), [own], format="json").status_code == 201
    # Only partners the contributor may not enter data for: the request is forbidden.
    refused = client.post(_url(world), other, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert refused.json()["errors"]["rows"][0]["field"] == "partner"
    # Viewers may not write at all.
    assert api("viewer").post(_url(world), [own], format="json").status_code == 403


def test_list_filters_and_pagination(world, api, people, bb):
    rows = [
        {"indicator": "PEOPLE", "partner": p, "period": f"2025-0{m}", "value": m}
        for p in ("Operations", "Sales")
        for m in (1, 2, 3)
    ]
    services.observations_upsert(actor=bb, initiative=world.initiative, rows=rows)
    client = api("viewer")
    body = client.get(_url(world), {"partner": "Sales", "period_from": "2025-02"}).json()
    assert body["count"] == 2
    assert {r["period"] for r in body["results"]} == {"2025-02", "2025-03"}
    body = client.get(_url(world), {"partner": str(world.partner.uid), "page_size": 1}).json()
    assert body["count"] == 3 and len(body["results"]) == 1 and body["next"]
    assert client.get(_url(world), {"indicator": "NOPE"}).json()["count"] == 0


def test_the_partner_filter_keeps_the_partner_and_the_partners_below_it(world, api, people, bb):
    """One meaning of the partner filter everywhere: values of the list, the export and the
    indicators of the list, for Operations, include those of Ops Team North below it."""
    rows = [
        {"indicator": "PEOPLE", "partner": p, "period": "2025-01", "value": 1}
        for p in ("Operations", "Ops Team North", "Sales")
    ]
    services.observations_upsert(actor=bb, initiative=world.initiative, rows=rows)
    client = api("viewer")
    for ref, expected in (
        (str(world.partner.uid), {"Operations", "Ops Team North"}),
        ("operations", {"Operations", "Ops Team North"}),
        ("Ops Team North", {"Ops Team North"}),
        (str(world.other.pk), set()),
    ):
        body = client.get(_url(world), {"partner": ref}).json()
        assert {r["partner_name"] for r in body["results"]} == expected, ref
    services.assignment_set(actor=bb, indicator=people, partner=world.subpartner)
    indicators = reverse("api:indicator-list", kwargs={"slug": world.initiative.slug})
    found = client.get(indicators, {"partner": str(world.partner.uid)}).json()["results"]
    assert [i["code"] for i in found] == ["PEOPLE"]
    assert client.get(indicators, {"partner": "Sales"}).json()["results"] == []
    from collective.measurement import exports

    content, _, _ = exports.export(initiative=world.initiative, partner=world.partner)
    assert sorted(line.split(",")[1] for line in content.decode().splitlines()[1:]) == [
        "Operations",
        "Ops Team North",
    ]


def test_series_endpoint(world, api, people, bb):
    for m, (ops, sales) in enumerate([(5, 3), (6, 4), (8, 4)], start=1):
        for partner, value in ((world.partner, ops), (world.other_partner, sales)):
            save_value(
                actor=bb, indicator=people, partner=partner, period=f"2025-0{m}", value=value
            )
    services.target_set(actor=bb, indicator=people, period="2025-06", value=20)
    url = _url(world, "api:indicator-series", code="PEOPLE")
    body = api("viewer").get(url).json()
    assert [p["value"] for p in body["periods"][:3]] == [8.0, 10.0, 12.0]
    assert body["periods"][-1]["period"] == "2025-06"
    assert body["periods"][-1]["target"] == 20.0
    assert body["status"]["status"] in ("on_track", "at_risk", "off_track")
    assert body["forecast"][0]["period"] == "2025-03"
    assert body["forecast"][-1]["period"] == "2025-06"
    by_partner = api("viewer").get(url, {"by": "partner"}).json()
    assert by_partner["periods"][0]["partners"] == {
        str(world.partner.uid): 5.0,
        str(world.other_partner.uid): 3.0,
    }
    scoped = api("viewer").get(url, {"scope": str(world.partner.uid)}).json()
    assert [p["value"] for p in scoped["periods"]] == [5.0, 6.0, 8.0]
    assert api("viewer").get(url, {"by": "nonsense"}).status_code == 400
    assert api("viewer").get(url, {"scope": "not-a-uid"}).status_code == 400


def test_indicator_crud_and_refusals(world, api, people, bb):
    client = api("backbone")
    response = client.post(
        _url(world, "api:indicator-list"),
        {"code": "ratio_x", "name": "Ratio", "aggregation": "ratio", "value_type": "percent"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["code"] == "RATIO_X"
    response = client.post(
        _url(world, "api:indicator-list"), {"code": "PEOPLE", "name": "Again"}, format="json"
    )
    assert response.status_code == 400 and "already used" in str(response.json())
    response = client.post(
        _url(world, "api:indicator-list"),
        {"code": "F", "name": "F", "formula": "PEOPLE / MISSING"},
        format="json",
    )
    assert response.status_code == 400
    assert "MISSING" in response.json()["errors"]["formula"][0]
    save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01", value=3)
    detail = _url(world, "api:indicator-detail", code="PEOPLE")
    response = client.patch(detail, {"frequency": "quarter"}, format="json")
    assert response.status_code == 409  # values exist: a conflict with the current state
    assert "already has 1 reported value" in response.json()["message"]
    assert client.patch(detail, {"name": "People reached"}, format="json").status_code == 200
    assert client.delete(detail).status_code == 204
    assert Indicator.objects.get(code="PEOPLE").archived


def test_public_indicators_are_readable_anonymously(world, api, make_indicator):
    make_indicator("OPEN", is_public=True)
    make_indicator("CLOSED")
    world.initiative.visibility = Visibility.PUBLIC
    world.initiative.save()
    client = api("anonymous")
    body = client.get(_url(world, "api:indicator-list")).json()
    assert [i["code"] for i in body["results"]] == ["OPEN"]
    assert client.get(_url(world, "api:indicator-series", code="OPEN")).status_code == 200
    assert client.get(_url(world, "api:indicator-detail", code="CLOSED")).status_code == 404
    assert client.get(_url(world)).status_code in (401, 403)  # raw values are for members


def test_targets_and_assignments(world, api, people):
    client = api("backbone")
    response = client.post(
        _url(world, "api:target-list"),
        {"indicator": "PEOPLE", "period": "2026-12-31", "value": "80"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["period"] == "2026-12"
    response = client.post(
        _url(world, "api:target-list"),
        {"indicator": "PEOPLE", "period": "2026-Q4", "value": "80"},
        format="json",
    )
    assert response.status_code == 400
    response = client.post(
        _url(world, "api:assignment-list"),
        {"indicator": "PEOPLE", "partner": str(world.partner.uid), "due_days": 400},
        format="json",
    )
    assert response.status_code == 400
    response = client.post(
        _url(world, "api:assignment-list"),
        {"indicator": "PEOPLE", "partner": str(world.partner.uid), "due_days": 10},
        format="json",
    )
    assert response.status_code == 201
    listed = api("viewer").get(_url(world, "api:assignment-list")).json()
    assert listed["count"] == 1 and listed["results"][0]["due_days"] == 10


def test_review_through_the_api(world, api, people):
    world.initiative.review_observations = True
    world.initiative.save()
    obs, _ = save_value(
        actor=world.users["contributor"], indicator=people, partner=world.partner,
        period="2025-01", value=Decimal(4),
    )  # fmt: skip
    url = _url(world, "api:observation-review", uid=obs.uid)
    response = api("backbone").post(url, {"approve": False}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    response = api("backbone").post(url, {"approve": False, "comment": "Typo?"}, format="json")
    assert response.json()["status"] == "returned"
    assert api("lead").post(url, {"approve": True}, format="json").status_code == 403


def test_the_value_serializer_answers_as_the_model_serializer_did(world, bb, make_indicator):
    """The declared ObservationSerializer gives exactly what a ModelSerializer of the same
    fields gives (values of every shape: a ratio, a breakdown, a note, reviewed)."""
    from rest_framework import serializers

    from collective.measurement.api import ObservationSerializer

    class FromModel(serializers.ModelSerializer):
        indicator = serializers.CharField(source="indicator.code")
        partner = serializers.UUIDField(source="partner.uid")
        partner_name = serializers.CharField(source="partner.name")
        submitted_by = serializers.SerializerMethodField()

        class Meta:
            model = Observation
            fields = list(ObservationSerializer().fields)
            read_only_fields = fields

        def get_submitted_by(self, obj) -> str | None:
            return obj.submitted_by.username if obj.submitted_by_id else None

    ratio = make_indicator("RATE", aggregation="ratio", value_type="percent")
    ages = make_indicator("AGES", breakdown_dimension="Age", breakdown_values=["0-17", "18+"])
    rows = [
        {"indicator": "RATE", "partner": "Sales", "period": "2025-01", "numerator": 3,
         "denominator": 7, "note": "a note, with a comma"},
        {"indicator": "AGES", "partner": "Operations", "period": "2025-01-31", "breakdown": "18+",
         "value": "12.5"},
    ]  # fmt: skip
    services.observations_upsert(actor=None, initiative=world.initiative, rows=rows)
    obs = Observation.objects.get(indicator=ratio)
    services.observation_review(actor=bb, observation=obs, approve=False, comment="Check")
    for obs in Observation.objects.filter(indicator__in=[ratio, ages]):
        assert ObservationSerializer(obs).data == FromModel(obs).data
    assert Observation.objects.filter(indicator=ages).get().period == "2025-01"
