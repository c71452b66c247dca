"""Pulse surveys and their anonymity rules: never a group below the threshold (default 5, never
settable below 3), and no group that could be worked out by subtracting shown totals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from collective.communication import selectors, services
from collective.communication.models import Survey, SurveyResponse
from collective.communication.selectors import suppressed_groups
from collective.core.errors import ApplicationError
from tests.factories import UserFactory, add_member, make_partner

from .helpers import make_survey


@given(
    sizes=st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(1, 12), min_size=1),
    k=st.integers(3, 8),
)
@settings(max_examples=300, deadline=None)
def test_no_group_below_the_threshold_can_be_seen_or_derived(sizes, k):
    hidden = suppressed_groups(sizes, k)
    shown = {g: n for g, n in sizes.items() if g not in hidden}
    assert all(n >= k for n in shown.values())
    # What is hidden, taken together (total minus the shown groups), is either nothing or at
    # least k people — so no small group can be worked out by subtraction.
    remainder = sum(sizes[g] for g in hidden)
    assert remainder == 0 or remainder >= k or not shown


def test_suppression_examples():
    assert suppressed_groups({"A": 10, "B": 7}, 5) == set()
    assert suppressed_groups({"A": 10, "B": 3}, 5) == {"A", "B"}  # hiding B alone leaks it
    assert suppressed_groups({"A": 10, "B": 3, "C": 4}, 5) == {"B", "C"}  # 7 together: safe
    assert suppressed_groups({"A": 10, "B": 2, "C": 2, "D": 6}, 5) == {"B", "C", "D"}


def test_threshold_never_below_three(world):
    with pytest.raises(ApplicationError, match="below 3") as error:
        make_survey(world, min_group_size=2)
    assert "min_group_size" in error.value.errors
    assert not Survey.objects.exists()


def _people(world, partner, n, prefix):
    return [
        add_member(
            world.initiative,
            UserFactory(username=f"{prefix}{i}"),
            role="contributor",
            partner=partner,
        )
        for i in range(n)
    ]


def test_results_hide_small_groups_and_small_surveys(world):
    big = make_partner(world.initiative, "Big team", actor=world.users["backbone"])
    small = make_partner(world.initiative, "Small team", actor=world.users["backbone"])
    big_people = _people(world, big, 6, "big")
    small_people = _people(world, small, 2, "small")
    survey = make_survey(world, partners=[big, small])
    services.survey_open(
        actor=world.users["backbone"],
        survey=survey,
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    question = survey.questions.get(kind="scale")
    for person in small_people + big_people[:2]:
        services.survey_respond(actor=person, survey=survey, answers={question.pk: 4})
    results = selectors.survey_results(survey)
    assert results["responses"] == 4 and not results["enough"]
    assert all(not q["groups"] and "mean" not in q for q in results["questions"])
    for person in big_people[2:]:
        services.survey_respond(actor=person, survey=survey, answers={question.pk: 2})
    results = selectors.survey_results(survey)
    assert results["enough"] and results["responses"] == 8
    scale = next(q for q in results["questions"] if q["question"] == question)
    assert scale["mean"] == 3.0  # four 4s and four 2s
    # Small team (2) is hidden; hiding it alone would let total − Big team reveal it, so Big
    # team is hidden too.
    assert scale["groups"] == [] and results["hidden_groups"] == 2
    # Anonymous: no respondent is stored.
    assert not SurveyResponse.objects.filter(respondent__isnull=False).exists()


def test_answering_rules(world):
    survey = make_survey(world)
    with pytest.raises(ApplicationError, match="closed"):
        services.survey_respond(actor=world.users["viewer"], survey=survey, answers={})
    services.survey_open(
        actor=world.users["backbone"],
        survey=survey,
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    scale = survey.questions.get(kind="scale")
    choice = survey.questions.get(kind="choice")
    with pytest.raises(ApplicationError) as error:
        services.survey_respond(
            actor=world.users["viewer"], survey=survey, answers={scale.pk: 9, choice.pk: "nope"}
        )
    assert set(error.value.errors) == {f"q{scale.pk}", f"q{choice.pk}"}
    services.survey_respond(
        actor=world.users["viewer"], survey=survey, answers={scale.pk: 5, choice.pk: "right"}
    )
    with pytest.raises(ApplicationError, match="already answered"):
        services.survey_respond(actor=world.users["viewer"], survey=survey, answers={scale.pk: 1})
    with pytest.raises(ApplicationError, match="not sent to you") as error:
        services.survey_respond(actor=world.users["outsider"], survey=survey, answers={})
    assert error.value.code == "forbidden"
    assert SurveyResponse.objects.count() == 1


# --- Result charts ---------------------------------------------------------------------------


def _spec(html: str, chart_id: str) -> dict:
    import json
    import re

    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html)
    assert found, f"no spec {chart_id}"
    return json.loads(found.group(1))


def _answered_survey(world, sizes: dict[str, tuple[int, int]]):
    """An anonymous survey answered by groups {partner name: (people, their scale answer)}."""
    partners = {
        name: make_partner(world.initiative, name, actor=world.users["backbone"]) for name in sizes
    }
    people = {
        name: _people(world, partners[name], n, f"p{index}-")
        for index, (name, (n, _answer)) in enumerate(sizes.items())
    }
    survey = make_survey(world, partners=list(partners.values()))
    services.survey_open(
        actor=world.users["backbone"],
        survey=survey,
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    scale = survey.questions.get(kind="scale")
    choice = survey.questions.get(kind="choice")
    for name, (_n, answer) in sizes.items():
        for person in people[name]:
            services.survey_respond(
                actor=person, survey=survey, answers={scale.pk: answer, choice.pk: "right"}
            )
    return survey, scale, choice


def test_result_charts_show_only_the_groups_the_thresholds_allow(world, client_as):
    # Tiny (2) is hidden; alone it could be worked out from the total, so Mid (5) is hidden too.
    survey, scale, choice = _answered_survey(
        world, {"Alpha": (6, 4), "Beta": (6, 2), "Mid": (5, 5), "Tiny": (2, 1)}
    )
    html = client_as("backbone").get(survey.get_absolute_url()).content.decode()
    answers = _spec(html, f"survey-q{scale.pk}")
    assert answers["config"]["font"].startswith("system-ui")  # the one chart theme
    assert [r["responses"] for r in answers["data"]["values"]] == [2, 6, 0, 6, 5]
    assert answers["description"].startswith("Bar chart of the 19 answers to “I feel heard.”")
    groups = _spec(html, f"survey-q{scale.pk}-groups")
    assert [(r["group"], r["average"]) for r in groups["data"]["values"]] == [
        ("Alpha", 4.0),
        ("Beta", 2.0),
    ]
    assert "Mid" not in str(groups) and "Tiny" not in str(groups)
    assert "Mid" not in html and "Tiny" not in html  # not in the tables either
    picked = _spec(html, f"survey-q{choice.pk}")
    assert [(r["answer"], r["responses"]) for r in picked["data"]["values"]] == [
        ("too many", 0),
        ("right", 19),
    ]
    # Read without the chart: a described figure with a table of the same figures.
    assert (
        f'id="survey-q{scale.pk}-desc"' in html and 'aria-label="1. I feel heard.: table"' in html
    )
    assert '<th scope="row" class="fw-normal">5 (high)</th><td class="text-end">5</td>' in html
    assert "vendor/vega-embed/vega-embed.min.js" in html


def test_no_chart_while_a_survey_has_too_few_responses(world, client_as):
    survey, scale, _choice = _answered_survey(world, {"Alpha": (4, 3)})
    html = client_as("backbone").get(survey.get_absolute_url()).content.decode()
    assert "results stay hidden to protect anonymity" in html
    assert f'id="survey-q{scale.pk}"' not in html and "vega-embed" not in html
