"""API contracts of activities: shapes, filters, the same rules as the pages, and bad input
answered with a message per field and nothing saved."""

from __future__ import annotations

from collective.activities import services
from collective.activities.models import Activity, Contribution, Dependency, SurveyAnswer
from collective.agenda.models import Outcome
from tests.factories import make_partner

from .helpers import D, activity, basic


def _base(world):
    return f"/api/v1/initiatives/{world.initiative.slug}/"


def test_list_and_filter_activities(world, api_as):
    data = basic(world)
    api = api_as("viewer")
    body = api.get(_base(world) + "activities/").json()
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["uid"] == str(data["ops_activity"].uid))
    assert row["partner"] == str(world.partner.uid) and row["status"] == "planned"
    only = api.get(_base(world) + "activities/", {"partner": str(world.other_partner.uid)}).json()
    assert [r["title"] for r in only["results"]] == ["Sales notes template"]
    bad = api.get(_base(world) + "activities/", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_create_defaults_to_the_leads_partner_and_refuses_bad_dates(world, api_as):
    api = api_as("lead")
    made = api.post(_base(world) + "activities/", {"title": "From a script"}, format="json")
    assert made.status_code == 201 and made.json()["partner"] == str(world.partner.uid)
    bad = api.post(
        _base(world) + "activities/",
        {
            "title": "Backwards",
            "start": "2026-05-01",
            "end": "2026-04-01",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"end": ["The end must be on or after the start."]}
    other = api.post(
        _base(world) + "activities/",
        {
            "title": "Theirs",
            "partner": str(world.other_partner.uid),
        },
        format="json",
    )
    assert other.status_code == 403
    typo = api.post(_base(world) + "activities/", {"titel": "x"}, format="json")
    assert typo.status_code == 400 and "titel" in typo.json()["errors"]
    assert list(Activity.objects.values_list("title", flat=True)) == ["From a script"]


def test_patch_by_another_partners_lead_is_forbidden(world, api_as):
    data = basic(world)
    response = api_as("lead").patch(
        _base(world) + f"activities/{data['sales_activity'].uid}/",
        {"title": "Mine now"},
        format="json",
    )
    assert response.status_code == 403


def test_dependency_cycle_refused(world, api_as):
    data = basic(world)
    services.dependency_add(actor=None, activity=data["sales_activity"], needs=data["ops_activity"])
    response = api_as("backbone").post(
        _base(world) + f"activities/{data['ops_activity'].uid}/dependencies/",
        {"needs": str(data["sales_activity"].uid)},
        format="json",
    )
    assert response.status_code == 400
    assert "cycle" in response.json()["message"]
    assert Dependency.objects.count() == 1


def test_claim_on_another_initiatives_outcome_is_refused(world, api_as):
    data = basic(world)
    foreign = Outcome.objects.create(initiative=world.other, title="Elsewhere")
    response = api_as("lead").post(
        _base(world) + "contributions/",
        {
            "activity": str(data["ops_activity"].uid),
            "outcome": str(foreign.uid),
            "rationale": "Because",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "another initiative" in response.json()["message"]
    assert Contribution.objects.count() == 2


def test_review_and_filter_claims(world, api_as):
    data = basic(world)
    api = api_as("lead")
    url = _base(world) + f"contributions/{data['sales_claim'].uid}/review/"
    response = api.post(url, {"verdict": "contested", "comment": "Not yet"}, format="json")
    assert response.status_code == 201
    assert response.json()["reviews"][0]["verdict"] == "contested"
    own = api.post(
        _base(world) + f"contributions/{data['ops_claim'].uid}/review/",
        {"verdict": "substantiated", "comment": "We did"},
        format="json",
    )
    assert own.status_code == 403
    contested = api.get(_base(world) + "contributions/", {"verdict": "contested"}).json()
    assert [c["uid"] for c in contested["results"]] == [str(data["sales_claim"].uid)]


def test_alignment_gaps_overlaps_network(world, api_as):
    data = basic(world)
    api = api_as("viewer")
    alignment = api.get(_base(world) + "alignment/").json()
    handoff = str(data["outcomes"][1].uid)
    cells = {(c["partner"], c["outcome"]): c for c in alignment["cells"]}
    assert cells[(str(world.partner.uid), handoff)]["direct"] == 1
    assert cells[(str(world.other_partner.uid), handoff)]["indirect"] == 1
    gaps = api.get(_base(world) + "gaps/", {"leaves": str(world.partner.uid)}).json()
    assert {g["kind"] for g in gaps["gaps"]} >= {"no_activity", "no_indicator"}
    assert gaps["what_if"]["partner"] == str(world.partner.uid)
    assert api.get(_base(world) + "gaps/", {"leaves": "nope"}).status_code == 400
    activity(
        world,
        "Joint hand-off checklist for sales",
        partner=world.other_partner,
        start=D(2026, 1, 1),
        end=D(2026, 6, 30),
    )
    overlaps = api.get(_base(world) + "overlaps/", {"threshold": "0.3"}).json()
    assert overlaps["pairs"] and overlaps["pairs"][0]["score"] >= 0.3
    assert api.get(_base(world) + "overlaps/", {"threshold": "7"}).status_code == 400
    net = api.get(_base(world) + "network/").json()
    assert net["nodes"] == 3 and 0 <= net["density"] <= 1
    assert api.get(_base(world) + "network/", {"view": "survey"}).status_code == 400


def test_survey_answers_about_outsiders_or_out_of_range_save_nothing(world, api_as):
    survey = services.round_open(actor=None, initiative=world.initiative, title="Spring")
    url = _base(world) + f"survey-rounds/{survey.uid}/answers/"
    foreign = make_partner(world.other, "Elsewhere")
    api = api_as("lead")
    outsider = api.post(
        url,
        {
            "answers": [
                {"about": str(world.other_partner.uid), "collaboration": "coordination"},
                {"about": str(foreign.uid), "collaboration": "networking"},
            ]
        },
        format="json",
    )
    assert outsider.status_code == 400 and "outside this initiative" in outsider.json()["message"]
    out_of_range = api.post(
        url,
        {
            "answers": [
                {
                    "about": str(world.other_partner.uid),
                    "collaboration": "coordination",
                    "trust": 3,
                },
            ]
        },
        format="json",
    )
    assert out_of_range.status_code == 400
    rating = api.post(
        url,
        {
            "answers": [
                {
                    "about": str(world.other_partner.uid),
                    "collaboration": "coordination",
                    "reliability": 5,
                },
            ]
        },
        format="json",
    )
    assert rating.status_code == 400
    assert "answers[0].reliability" in rating.json()["errors"]
    assert not SurveyAnswer.objects.exists()
    ok = api.post(
        url,
        {
            "answers": [
                {
                    "about": str(world.other_partner.uid),
                    "collaboration": "coordination",
                    "reliability": 4,
                },
            ]
        },
        format="json",
    )
    assert ok.status_code == 201 and SurveyAnswer.objects.get().respondent == world.partner
