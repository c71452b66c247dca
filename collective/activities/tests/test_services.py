"""Services of activities: the one door per write. Bad input is refused with a clear message and
nothing is saved; every write leaves an audit entry; slips tell the activities waiting."""

from __future__ import annotations

import pytest

from collective.activities import services
from collective.activities.models import (
    Activity,
    ClaimReview,
    Contribution,
    Dependency,
    HelpTie,
    PartnerStrength,
    SurveyAnswer,
)
from collective.core import hooks
from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent
from tests.factories import make_partner

from .helpers import D, activity, basic, claim, outcomes


def test_create_records_an_audit_entry(world):
    act = activity(world, "Checklist", start=D(2026, 1, 1), end=D(2026, 3, 1), lever="practices")
    event = AuditEvent.objects.get(verb="activity.create", target_id=str(act.uid))
    # One shape of audit changes: what a creation set is a "to" (docs/architecture.md).
    assert event.changes["title"] == {"from": None, "to": "Checklist"}
    assert event.changes["lever"] == {"from": None, "to": "practices"}


def test_end_before_start_is_refused_and_nothing_saved(world):
    with pytest.raises(ApplicationError) as exc:
        activity(world, "Backwards", start=D(2026, 5, 1), end=D(2026, 4, 1))
    assert "before the start" in exc.value.message
    assert "end" in exc.value.errors
    assert not Activity.objects.exists()


def test_update_end_before_start_is_refused_and_nothing_changes(world):
    act = activity(world, "Plan", start=D(2026, 1, 1), end=D(2026, 2, 1))
    with pytest.raises(ApplicationError):
        services.activity_update(
            actor=world.users["backbone"], activity=act, title="Renamed", end=D(2025, 12, 1)
        )
    act.refresh_from_db()
    assert (act.title, act.end) == ("Plan", D(2026, 2, 1))


def test_update_audit_changes_have_from_and_to(world):
    act = activity(world, "Plan", percent_complete=10)
    services.activity_update(actor=world.users["backbone"], activity=act, percent_complete=30)
    event = AuditEvent.objects.get(verb="activity.update")
    assert event.changes == {"percent_complete": {"from": 10, "to": 30}}


def test_a_partner_lead_adds_only_for_their_own_partner(world):
    lead = world.users["lead"]
    own = activity(world, "Ours", actor=lead, partner=world.subpartner)  # below their partner
    assert own.partner == world.subpartner
    with pytest.raises(ApplicationError) as exc:
        activity(world, "Theirs", actor=lead, partner=world.other_partner)
    assert exc.value.code == "forbidden" and exc.value.status == 403
    assert not Activity.objects.filter(title="Theirs").exists()


def test_a_partner_of_another_initiative_is_refused(world):
    foreign = make_partner(world.other, "Elsewhere")
    with pytest.raises(ApplicationError):
        activity(world, "Foreign", partner=foreign)
    with pytest.raises(ApplicationError):
        activity(world, "Foreign support", supporting_partners=[foreign])
    assert not Activity.objects.exists()


def test_percent_and_budget_are_checked(world):
    with pytest.raises(ApplicationError):
        activity(world, "Too much", percent_complete=120)
    with pytest.raises(ApplicationError):
        activity(world, "Negative", budget="-5")
    act = activity(world, "Funded", budget="25000", funder="County Foundation")
    assert str(act.budget) == "25000.00"


def test_own_measures_must_be_activity_or_output_level(world):
    from .helpers import indicator

    outcome_level = indicator(world, "LIVE_PCT", level="outcome")
    output_level = indicator(world, "WORKSHOPS", level="output")
    with pytest.raises(ApplicationError) as exc:
        activity(world, "Measured", measures=[outcome_level])
    assert "activity or output" in exc.value.message
    act = activity(world, "Measured", measures=[output_level])
    assert list(act.measures.all()) == [output_level]


# --- Dependencies and slips ------------------------------------------------------------------


def test_a_dependency_cycle_is_refused_with_the_chain_and_nothing_saved(world):
    a, b, c = (activity(world, t) for t in ("A", "B", "C"))
    backbone = world.users["backbone"]
    services.dependency_add(actor=backbone, activity=a, needs=b)
    services.dependency_add(actor=backbone, activity=b, needs=c)
    with pytest.raises(ApplicationError) as exc:
        services.dependency_add(actor=backbone, activity=c, needs=a)
    assert "cycle" in exc.value.message and "“C” → “A” → “B” → “C”" in exc.value.message
    assert Dependency.objects.count() == 2
    with pytest.raises(ApplicationError):
        services.dependency_add(actor=backbone, activity=a, needs=a)
    with pytest.raises(ApplicationError) as dup:
        services.dependency_add(actor=backbone, activity=a, needs=b)
    assert dup.value.code == "conflict"


def test_a_slip_flags_the_waiting_activities_and_raises_the_hook(world):
    backbone = world.users["backbone"]
    needed = activity(world, "Evidence pack", start=D(2026, 1, 1), end=D(2026, 3, 1))
    waiting = activity(world, "Answer library", partner=world.other_partner)
    done = activity(world, "Old work", status="done")
    services.dependency_add(actor=backbone, activity=waiting, needs=needed)
    services.dependency_add(actor=backbone, activity=done, needs=needed)
    heard = []
    listener = lambda **kw: heard.append(kw)  # noqa: E731
    hooks.listen(hooks.ACTIVITY_SLIPPED, listener)
    try:
        services.activity_update(actor=backbone, activity=needed, end=D(2026, 4, 15))
    finally:
        hooks._listeners[hooks.ACTIVITY_SLIPPED].remove(listener)
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert "45 days later" in waiting.waiting_reason
    assert done.waiting_reason == ""  # finished work is not flagged
    assert heard[0]["activity"] == needed and heard[0]["waiting"] == [waiting]
    # Moving the end earlier, or a change that is not a slip, flags nothing more.
    services.waiting_clear(actor=backbone, activity=waiting)
    services.activity_update(actor=backbone, activity=needed, end=D(2026, 4, 1))
    waiting.refresh_from_db()
    assert waiting.waiting_reason == ""
    services.activity_update(actor=backbone, activity=needed, status="paused")
    waiting.refresh_from_db()
    assert "paused" in waiting.waiting_reason


def test_progress_moves_percent_and_starts_a_planned_activity(world):
    act = activity(world, "Plan")
    services.progress_add(
        actor=world.users["contributor"],
        activity=act,
        note="Kick-off done",
        date=D(2026, 1, 10),
        percent_complete=15,
    )
    act.refresh_from_db()
    assert (act.percent_complete, act.status) == (15, "active")
    with pytest.raises(ApplicationError):
        services.progress_add(
            actor=world.users["contributor"], activity=act, note="", percent_complete=20
        )


def test_a_milestone_cannot_be_due_before_the_start(world):
    act = activity(world, "Plan", start=D(2026, 3, 1))
    with pytest.raises(ApplicationError):
        services.milestone_add(actor=None, activity=act, title="Early", due=D(2026, 2, 1))
    m = services.milestone_add(actor=None, activity=act, title="On time", due=D(2026, 3, 15))
    services.milestone_set_done(actor=world.users["contributor"], milestone=m, done=True)
    m.refresh_from_db()
    assert m.done_on is not None


# --- Claims ----------------------------------------------------------------------------------


def test_a_claim_on_an_outcome_of_another_initiative_is_refused(world):
    from collective.agenda.models import Outcome

    act = activity(world, "Plan")
    foreign = Outcome.objects.create(initiative=world.other, title="Someone else's outcome")
    with pytest.raises(ApplicationError) as exc:
        claim(world, act, foreign)
    assert "another initiative" in exc.value.message
    assert "outcome" in exc.value.errors
    assert not Contribution.objects.exists()


def test_a_claim_needs_a_target_and_a_rationale_and_good_links(world):
    _goal, handoff, _sub = outcomes(world)
    act = activity(world, "Plan")
    with pytest.raises(ApplicationError):
        claim(world, act, None)
    with pytest.raises(ApplicationError):
        claim(world, act, handoff, rationale="  ")
    with pytest.raises(ApplicationError) as exc:
        claim(world, act, handoff, links=["javascript:alert(1)"])
    assert "web address" in exc.value.message
    made = claim(world, act, handoff, links=["https://example.org/report"])
    with pytest.raises(ApplicationError) as dup:
        claim(world, act, handoff)
    assert dup.value.code == "conflict"
    assert Contribution.objects.get() == made


def test_another_partner_reviews_a_claim_but_not_the_owner(world):
    data = basic(world)
    lead = world.users["lead"]  # acts for Operations
    with pytest.raises(ApplicationError) as exc:
        services.claim_review(
            actor=lead, claim=data["ops_claim"], verdict="substantiated", comment="We did it"
        )
    assert exc.value.code == "forbidden"
    review = services.claim_review(
        actor=lead,
        claim=data["sales_claim"],
        verdict="contested",
        comment="We have not seen the template yet",
    )
    assert review.partner == world.partner
    again = services.claim_review(
        actor=lead, claim=data["sales_claim"], verdict="substantiated", comment="Now we have"
    )
    assert again.pk == review.pk and ClaimReview.objects.count() == 1
    with pytest.raises(ApplicationError):
        services.claim_review(actor=lead, claim=data["sales_claim"], verdict="maybe", comment="?")


# --- Strengths and surveys -------------------------------------------------------------------


def test_a_rating_outside_1_to_4_is_refused_and_nothing_saved(world):
    backbone = world.users["backbone"]
    data = services.capability_create(actor=backbone, initiative=world.initiative, name="Data")
    tech = services.capability_create(actor=backbone, initiative=world.initiative, name="Tech")
    with pytest.raises(ApplicationError) as exc:
        services.strengths_rate(actor=backbone, partner=world.partner, ratings={data: 3, tech: 5})
    assert f"capability_{tech.pk}" in exc.value.errors
    assert not PartnerStrength.objects.exists()
    services.strengths_rate(actor=backbone, partner=world.partner, ratings={data: 3, tech: "4"})
    assert PartnerStrength.objects.count() == 2
    services.strengths_rate(actor=backbone, partner=world.partner, ratings={data: None})
    assert PartnerStrength.objects.count() == 1


def test_a_lead_rates_only_their_own_partner(world):
    cap = services.capability_create(actor=None, initiative=world.initiative, name="Data")
    with pytest.raises(ApplicationError):
        services.strengths_rate(
            actor=world.users["lead"], partner=world.other_partner, ratings={cap: 2}
        )


def test_defaults_are_added_once(world):
    first = services.capabilities_add_defaults(actor=None, initiative=world.initiative)
    assert len(first) >= 8
    assert services.capabilities_add_defaults(actor=None, initiative=world.initiative) == []


def _round(world):
    return services.round_open(
        actor=world.users["backbone"], initiative=world.initiative, title="Spring"
    )


def test_a_survey_answer_about_a_partner_outside_the_initiative_is_refused(world):
    survey = _round(world)
    foreign = make_partner(world.other, "Elsewhere")
    with pytest.raises(ApplicationError) as exc:
        services.survey_answer(
            actor=world.users["lead"],
            survey=survey,
            respondent=world.partner,
            answers=[
                {"about": world.other_partner, "collaboration": "coordination", "reliability": 3},
                {"about": foreign, "collaboration": "networking"},
            ],
        )
    assert "outside this initiative" in exc.value.message
    assert not SurveyAnswer.objects.exists()


def test_a_survey_rating_outside_1_to_4_is_refused_and_nothing_saved(world):
    survey = _round(world)
    with pytest.raises(ApplicationError) as exc:
        services.survey_answer(
            actor=world.users["lead"],
            survey=survey,
            respondent=world.partner,
            answers=[
                {"about": world.other_partner, "collaboration": "coordination", "reliability": 3},
                {"about": world.subpartner, "collaboration": "coalition", "power": 0},
            ],
        )
    assert "answers[1].power" in exc.value.errors
    assert not SurveyAnswer.objects.exists()


def test_survey_answers_replace_earlier_ones_and_closed_rounds_refuse(world):
    survey = _round(world)
    answer = {"about": world.other_partner, "collaboration": "coordination", "reliability": 3}
    services.survey_answer(
        actor=world.users["lead"], survey=survey, respondent=world.partner, answers=[answer]
    )
    services.survey_answer(
        actor=world.users["lead"],
        survey=survey,
        respondent=world.partner,
        answers=[{**answer, "reliability": 4}],
    )
    assert SurveyAnswer.objects.get().reliability == 4
    with pytest.raises(ApplicationError) as other:
        services.survey_answer(
            actor=world.users["lead"], survey=survey, respondent=world.other_partner, answers=[]
        )
    assert other.value.code == "forbidden"
    with pytest.raises(ApplicationError) as twice:
        _round(world)
    assert twice.value.code == "conflict"
    services.round_close(actor=world.users["backbone"], survey=survey)
    with pytest.raises(ApplicationError):
        services.survey_answer(
            actor=world.users["lead"], survey=survey, respondent=world.partner, answers=[answer]
        )


def test_help_offered_counts_as_a_tie(world):
    for _ in range(2):
        hooks.notify(
            hooks.HELP_OFFERED,
            actor=None,
            initiative=world.initiative,
            from_partner=world.partner,
            to_partner=world.other_partner,
            post=None,
        )
    foreign = make_partner(world.other, "Elsewhere")
    hooks.notify(
        hooks.HELP_OFFERED,
        actor=None,
        initiative=world.initiative,
        from_partner=world.partner,
        to_partner=foreign,
        post=None,
    )
    tie = HelpTie.objects.get()
    assert (tie.from_partner, tie.to_partner, tie.count) == (world.partner, world.other_partner, 2)


# --- Rules -----------------------------------------------------------------------------------


def test_rules(world):
    data = basic(world)
    users = world.users
    ops, sales = data["ops_activity"], data["sales_activity"]
    assert users["lead"].has_perm("activities.change_activity", ops)
    assert not users["lead"].has_perm("activities.change_activity", sales)
    assert users["contributor"].has_perm("activities.update_progress", ops)
    assert not users["contributor"].has_perm("activities.change_activity", ops)
    assert not users["contributor"].has_perm("activities.update_progress", sales)
    assert users["lead"].has_perm("activities.review_claim", sales)
    assert not users["lead"].has_perm("activities.review_claim", ops)
    assert not users["viewer"].has_perm("activities.review_claim", sales)
    assert users["backbone"].has_perm("activities.review_claim", ops)
    assert users["viewer"].has_perm("activities.view", world.initiative)
    assert not users["outsider"].has_perm("activities.view", world.initiative)
    assert not users["lead"].has_perm("activities.manage", world.initiative)
