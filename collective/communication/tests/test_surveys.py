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
