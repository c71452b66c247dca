"""Services of continuous communication: each validates, writes in one transaction with an
audit entry, and refuses bad input with a clear message, saving nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from collective.communication import selectors, services
from collective.communication.models import (
    ActionItem,
    AgendaItem,
    Decision,
    DecisionVote,
    Feedback,
    HelpOffer,
    Notification,
    SlippedActivity,
)
from collective.core import hooks
from collective.core.errors import ApplicationError
from collective.core.markdown import render_markdown
from collective.core.models import AuditEvent

from .helpers import (
    future_meeting,
    make_action,
    make_decision,
    make_feedback,
    make_proposal,
    make_series,
    make_update,
    past_meeting,
)

# --- Touchpoints, agendas, minutes ------------------------------------------------------------


def test_agenda_is_drafted_from_the_evidence(world):
    series = make_series(world, agenda_template="- Welcome\n- Round of news")
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        overdue = make_action(world, days=1, title="Send the form to Legal")
    review = make_decision(world, review_date=timezone.localdate() + dt.timedelta(days=1))
    make_feedback(world, body="Too many meetings.")
    help_post = make_update(world, kind="help_wanted", title="Need a data analyst")
    services.backlog_add(actor=world.users["viewer"], series=series, title="Budget for Q3")
    hooks.notify(
        hooks.ACTIVITY_SLIPPED,
        actor=world.users["lead"],
        initiative=world.initiative,
        activity=world.subpartner,  # any object stands in for an activity
        waiting=[world.other_partner],
        reason="Supplier late",
    )
    meeting = future_meeting(world, series)
    items = services.agenda_draft(actor=world.users["contributor"], occurrence=meeting)
    titles = [i.title for i in items]
    assert titles[:2] == ["Welcome", "Round of news"]
    sources = {i.source for i in items}
    assert sources >= {
        "overdue_action",
        "decision_review",
        "feedback",
        "help_wanted",
        "slipped",
        "backlog",
    }
    assert any(overdue.title in i.notes for i in items)
    assert any(f"D{review.number}" in t for t in titles)
    assert any(help_post.title in t for t in titles)
    assert any("Ops Team North" in i.activity_title for i in items)
    # Drafting again adds nothing twice.
    assert services.agenda_draft(actor=world.users["contributor"], occurrence=meeting) == []
    assert AuditEvent.objects.filter(verb="drafted the agenda of").count() == 2


def test_off_track_measures_come_from_stored_statuses(world):
    from collective.measurement.models import Indicator, IndicatorStatus

    indicator = Indicator.objects.create(
        initiative=world.initiative, code="DAYS", name="Days to go live"
    )
    IndicatorStatus.objects.create(
        initiative=world.initiative, indicator=indicator, status="off_track", reason="Worse."
    )
    meeting = future_meeting(world)
    items = services.agenda_draft(actor=world.users["backbone"], occurrence=meeting)
    item = next(i for i in items if i.source == "off_track")
    assert item.indicator == indicator and "DAYS" in item.title


def test_closing_carries_unfinished_items_over_with_their_history(world):
    series = make_series(world)
    meeting = past_meeting(world, series)
    done = services.agenda_item_add(actor=world.users["backbone"], occurrence=meeting, title="A")
    left = services.agenda_item_add(actor=world.users["backbone"], occurrence=meeting, title="B")
    services.meeting_close(
        actor=world.users["contributor"],
        occurrence=meeting,
        results={str(done.uid): ("decided", "Agreed"), str(left.uid): ("unfinished", "")},
    )
    meeting.refresh_from_db()
    assert meeting.is_closed
    carried = AgendaItem.objects.get(carried_from=left)
    assert carried.source == "carried" and carried.occurrence.start > meeting.start
    assert carried.history() == [left]
    # Closing again is refused.
    with pytest.raises(ApplicationError, match="closed"):
        services.meeting_close(actor=world.users["backbone"], occurrence=meeting)


def test_a_meeting_in_the_future_cannot_be_closed(world):
    with pytest.raises(ApplicationError, match="once it has started"):
        services.meeting_close(actor=world.users["backbone"], occurrence=future_meeting(world))


def test_minutes_draft_corrections_locked(world):
    meeting = past_meeting(world)
    services.attendance_record(
        actor=world.users["backbone"],
        occurrence=meeting,
        present=[world.users["viewer"]],
        partners=[world.partner],
    )
    with pytest.raises(ApplicationError, match="Write the minutes"):
        services.minutes_open_corrections(actor=world.users["backbone"], occurrence=meeting)
    services.minutes_save(actor=world.users["backbone"], occurrence=meeting, minutes="We met.")
    services.minutes_open_corrections(actor=world.users["backbone"], occurrence=meeting)
    assert Notification.objects.filter(user=world.users["viewer"], kind="meeting").exists()
    services.minutes_correct(actor=world.users["viewer"], occurrence=meeting, body="Tuesday.")
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=6)),
        pytest.raises(ApplicationError, match="passed"),
    ):
        services.minutes_correct(actor=world.users["viewer"], occurrence=meeting, body="Late")
    services.minutes_lock(actor=world.users["backbone"], occurrence=meeting)
    with pytest.raises(ApplicationError, match="locked"):
        services.minutes_save(actor=world.users["backbone"], occurrence=meeting, minutes="Edit")
    meeting.refresh_from_db()
    assert meeting.minutes == "We met." and meeting.minutes_state == "locked"


def test_cancel_and_move_one_occurrence(world):
    series = make_series(world)
    occ = future_meeting(world, series)
    new_start = occ.start + dt.timedelta(days=1, hours=2)
    services.occurrence_move(actor=world.users["backbone"], occurrence=occ, start=new_start)
    occ.refresh_from_db()
    assert occ.start == new_start and occ.is_moved and occ.sequence == 1
    with pytest.raises(ApplicationError, match="past"):
        services.occurrence_move(
            actor=world.users["backbone"],
            occurrence=occ,
            start=timezone.now() - dt.timedelta(days=1),
        )
    services.occurrence_cancel(actor=world.users["backbone"], occurrence=occ, note="Holiday")
    occ.refresh_from_db()
    assert occ.is_cancelled
    others = series.occurrences.exclude(pk=occ.pk).filter(status="scheduled")
    assert others.exists()


def test_occurrences_are_planned_idempotently(world):
    series = make_series(world)
    count = series.occurrences.count()
    assert services.occurrences_extend(series) == 0
    assert series.occurrences.count() == count


# --- Decisions -------------------------------------------------------------------------------


def test_asynchronous_decision(world, commits):
    proposal = make_proposal(world, quorum_percent=60)
    with commits():
        services.decision_vote(actor=world.users["viewer"], decision=proposal, stance="support")
        services.decision_vote(
            actor=world.users["contributor"],
            decision=proposal,
            stance="object",
            reason="Too often for frontline staff.",
        )
    tally = selectors.decision_tally(proposal)
    assert tally["responded"] == 2 and tally["quorum_met"]  # 2 of 3 = 66.7 %
    # The backbone writes the outcome, which need not follow the majority.
    with commits():
        services.decision_conclude(
            actor=world.users["backbone"],
            decision=proposal,
            statement="We keep monthly meetings and add a fortnightly stand-up.",
        )
    proposal.refresh_from_db()
    assert proposal.status == "taken" and "2 responded" in proposal.consulted
    assert Notification.objects.filter(kind="decision", user=world.users["lead"]).exists()


def test_a_second_vote_and_a_vote_after_the_deadline_are_refused(world):
    proposal = make_proposal(world)
    services.decision_vote(actor=world.users["viewer"], decision=proposal, stance="abstain")
    with pytest.raises(ApplicationError, match="already responded"):
        services.decision_vote(actor=world.users["viewer"], decision=proposal, stance="support")
    with (
        time_machine.travel(proposal.deadline + dt.timedelta(minutes=1)),
        pytest.raises(ApplicationError, match="deadline for responses passed"),
    ):
        services.decision_vote(actor=world.users["lead"], decision=proposal, stance="support")
    with pytest.raises(ApplicationError, match="Only the people asked") as error:
        services.decision_vote(actor=world.users["backbone"], decision=proposal, stance="support")
    assert error.value.code == "forbidden"
    with pytest.raises(ApplicationError, match="why you object"):
        services.decision_vote(actor=world.users["lead"], decision=proposal, stance="object")
    assert DecisionVote.objects.count() == 1
    assert DecisionVote.objects.get().stance == "abstain"


def test_decision_taken_hook_and_follow_through(world):
    heard = []

    def listener(**kw):
        heard.append(kw["decision"])

    hooks.listen(hooks.DECISION_TAKEN, listener)
    try:
        decision = make_decision(world, review_date=timezone.localdate() + dt.timedelta(days=30))
    finally:
        hooks._listeners[hooks.DECISION_TAKEN].remove(listener)
    assert heard[-1] == decision
    a = make_action(world, decision=decision)
    make_action(world, decision=decision, title="Second")
    services.action_update(actor=world.users["contributor"], action=a, status="done")
    follow = selectors.decision_follow_through(decision)
    assert follow["actions"] == 2 and follow["done"] == 1 and follow["share"] == 50.0


def test_follow_through_reads_how_linked_measures_moved(world):
    from collective.measurement.models import Indicator, Rollup

    indicator = Indicator.objects.create(initiative=world.initiative, code="NPS", name="NPS")
    for period, start, value in [("2026-01", "2026-01-01", 10), ("2026-03", "2026-03-01", 25)]:
        Rollup.objects.create(
            initiative=world.initiative,
            indicator=indicator,
            period=period,
            period_start=dt.date.fromisoformat(start),
            value=value,
        )
    with time_machine.travel(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)):
        decision = services.decision_record(
            actor=world.users["backbone"],
            initiative=world.initiative,
            title="Calls",
            statement="Call every new customer.",
            method="backbone",
            indicators=[indicator],
        )
    movement = selectors.decision_follow_through(decision)["movement"][0]
    assert movement["from"][0] == "2026-01" and movement["to"][0] == "2026-03"
    assert movement["change"] == 15


def test_bad_decision_input_saves_nothing(world):
    with pytest.raises(ApplicationError) as error:
        services.decision_propose(
            actor=world.users["backbone"],
            initiative=world.initiative,
            title="X",
            proposal="Y",
            deadline=timezone.now() - dt.timedelta(hours=1),
            asked=[],
            quorum_percent=0,
        )
    assert set(error.value.errors) == {"deadline", "asked", "quorum_percent"}
    with pytest.raises(ApplicationError, match="which meeting"):
        services.decision_record(
            actor=world.users["backbone"],
            initiative=world.initiative,
            title="X",
            statement="Y",
            method="meeting",
        )
    assert not Decision.objects.exists()


# --- Actions ---------------------------------------------------------------------------------


def test_a_new_action_due_in_the_past_is_refused(world):
    with pytest.raises(ApplicationError, match="in the past") as error:
        make_action(world, days=-1)
    assert "due_date" in error.value.errors
    assert not ActionItem.objects.exists()
    with pytest.raises(ApplicationError, match="owns it"):
        services.action_create(
            actor=world.users["backbone"],
            initiative=world.initiative,
            title="Orphan",
            due_date=timezone.localdate(),
        )
    with pytest.raises(ApplicationError, match="not a member"):
        make_action(world, owner=world.users["outsider"])
    assert not ActionItem.objects.exists()


def test_assignment_is_emailed_at_once_whatever_the_digest_choice(world, commits):
    with commits():
        action = make_action(world)
    to_owner = [m for m in mail.outbox if m.to == [world.users["contributor"].email]]
    assert len(to_owner) == 1 and action.title in to_owner[0].subject
    assert "List-Unsubscribe" in to_owner[0].extra_headers
    services.preference_update(user=world.users["viewer"], email_mode="none", time_zone="UTC")
    mail.outbox.clear()
    with commits():
        make_action(world, owner=world.users["viewer"])
    assert mail.outbox == []


def test_my_actions_include_partner_owned_ones_for_the_lead(world):
    make_action(world, owner=None, owner_partner=world.partner, title="For Operations")
    mine = selectors.my_actions(world.initiative, world.users["lead"])
    assert [a.title for a in mine] == ["For Operations"]


# --- Updates, help, discussions --------------------------------------------------------------


def test_help_offered_is_recorded_and_raised(world):
    heard = []

    def listener(**kw):
        heard.append(kw)

    hooks.listen(hooks.HELP_OFFERED, listener)
    post = make_update(world, kind="help_wanted", actor=world.users["contributor"])
    assert post.partner == world.partner
    from tests.factories import UserFactory, add_member

    sales = add_member(
        world.initiative,
        UserFactory(username="sales"),
        role="contributor",
        partner=world.other_partner,
    )
    try:
        services.help_offer(actor=sales, update=post, message="We can lend Sam for a week.")
    finally:
        hooks._listeners[hooks.HELP_OFFERED].remove(listener)
    assert HelpOffer.objects.get().partner == world.other_partner
    assert heard[-1]["from_partner"] == world.other_partner
    assert heard[-1]["to_partner"] == world.partner
    with pytest.raises(ApplicationError, match="its own request"):
        services.help_offer(actor=world.users["lead"], update=post, message="Us too")
    with pytest.raises(ApplicationError, match="already offered"):
        services.help_offer(actor=sales, update=post, message="Again")
    assert HelpOffer.objects.count() == 1


def test_posting_for_another_partner_is_refused(world):
    with pytest.raises(ApplicationError, match="own partner"):
        make_update(world, partner=world.other_partner)


def test_mentions_notify_at_once_and_followers_are_told(world, commits):
    with commits():
        discussion = services.discussion_start(
            actor=world.users["contributor"],
            initiative=world.initiative,
            title="Forms",
            body="What do you think, @vw?",
        )
    note = Notification.objects.get(user=world.users["viewer"])
    assert note.kind == "mention"
    assert any(m.to == [world.users["viewer"].email] for m in mail.outbox)  # at once
    services.discussion_reply(actor=world.users["lead"], discussion=discussion, body="+1")
    assert Notification.objects.filter(user=world.users["contributor"], kind="discussion").exists()


def test_script_bearing_markdown_is_sanitised(world, client):
    update = make_update(
        world, body="Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold**"
    )
    html = str(render_markdown(update.body))
    assert "<script" not in html and "javascript:" not in html and "<strong>bold</strong>" in html
    client.force_login(world.users["viewer"])
    page = client.get(update.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page


# --- Feedback --------------------------------------------------------------------------------


def test_feedback_loop_closes_with_a_public_response(world):
    item = make_feedback(world)
    with pytest.raises(ApplicationError, match="needs a response"):
        services.feedback_respond(actor=world.users["backbone"], feedback=item, status="acted_on")
    services.feedback_respond(actor=world.users["backbone"], feedback=item, status="considered")
    services.feedback_respond(
        actor=world.users["backbone"],
        feedback=item,
        status="acted_on",
        response="Meetings now end on time; we added a timekeeper.",
        led_to_label="Decision D1",
        led_to_url="/i/acme/communication/decisions/1/",
    )
    item.refresh_from_db()
    assert item.status == "acted_on" and item.closed_at and item.led_to_change
    with pytest.raises(ApplicationError, match="cannot move"):
        services.feedback_respond(actor=world.users["backbone"], feedback=item, status="new")
    figures = selectors.feedback_figures(world.initiative)
    assert figures["share_closed"] == 100.0 and figures["share_changed"] == 100.0
    assert Notification.objects.filter(user=world.users["viewer"], kind="feedback").exists()


def test_anonymous_feedback_keeps_no_name(world):
    item = services.feedback_give(
        actor=world.users["contributor"],
        initiative=world.initiative,
        theme="other",
        body="Quietly: the data is late.",
        anonymous=True,
    )
    assert item.author is None
    assert AuditEvent.objects.filter(target_type="feedback", actor__isnull=False).count() == 0


def test_feedback_link(world):
    with pytest.raises(ApplicationError):
        services.feedback_give_by_link(
            initiative=world.initiative, token="x", theme="other", body="Hi"
        )
    config = services.settings_update(
        actor=world.users["backbone"], initiative=world.initiative, feedback_link_enabled=True
    )
    item = services.feedback_give_by_link(
        initiative=world.initiative, token=config.feedback_token, theme="services", body="Thanks"
    )
    assert item.via_link and item.anonymous
    old = config.feedback_token
    services.feedback_link_renew(actor=world.users["backbone"], initiative=world.initiative)
    with pytest.raises(ApplicationError):
        services.feedback_give_by_link(
            initiative=world.initiative, token=old, theme="other", body="Hi"
        )
    assert Feedback.objects.count() == 1


# --- Hooks from the activities app -----------------------------------------------------------


def test_activity_slipped_and_coordination_requested(world):
    hooks.notify(
        hooks.ACTIVITY_SLIPPED,
        actor=world.users["backbone"],
        initiative=world.initiative,
        activity=world.partner,
        waiting=[],
        reason="Late",
    )
    slipped = SlippedActivity.objects.get()
    assert slipped.activity == world.partner and slipped.activity_title == "Operations"
    # The partner's lead is told (a Partner standing in has itself as partner: none here).
    hooks.notify(
        hooks.COORDINATION_REQUESTED,
        actor=world.users["backbone"],
        initiative=world.initiative,
        first=world.partner,
        second=world.other_partner,
        note="Align the hand-off dates.",
    )
    from collective.communication.models import Discussion

    discussion = Discussion.objects.get()
    assert "Coordinating" in discussion.title and discussion.post_count == 1


# --- Notifications ---------------------------------------------------------------------------


def test_unsubscribe_stops_email(world, commits):
    from collective.communication.services.notifications import unsubscribe_token

    services.unsubscribe(token=unsubscribe_token(world.users["contributor"]))
    with commits():
        make_action(world)
    assert mail.outbox == []
    with pytest.raises(ApplicationError, match="not valid"):
        services.unsubscribe(token="tampered")


def test_with_the_activities_app_slips_reach_the_agenda_and_help_counts_as_a_tie(world):
    from collective.activities import services as activities
    from collective.activities.models import HelpTie
    from collective.activities.tests.helpers import activity

    backbone = world.users["backbone"]
    D = dt.date
    needed = activity(world, "Evidence pack", start=D(2030, 1, 1), end=D(2030, 3, 1))
    waiting = activity(world, "Answer library", partner=world.other_partner)
    activities.dependency_add(actor=backbone, activity=waiting, needs=needed)
    activities.activity_update(actor=backbone, activity=needed, end=D(2030, 4, 15))
    slipped = SlippedActivity.objects.get()
    assert slipped.activity == needed and slipped.waiting == ["Answer library"]
    assert Notification.objects.filter(user=world.users["lead"], kind="activity").exists()
    items = services.agenda_draft(actor=backbone, occurrence=future_meeting(world))
    item = next(i for i in items if i.source == "slipped")
    assert item.activity == needed and item.activity_url() == needed.get_absolute_url()
    post = make_update(world, kind="help_wanted", actor=world.users["contributor"])
    from tests.factories import UserFactory, add_member

    sales = add_member(
        world.initiative,
        UserFactory(username="sales2"),
        role="contributor",
        partner=world.other_partner,
    )
    services.help_offer(actor=sales, update=post, message="We can help.")
    tie = HelpTie.objects.get()
    assert (tie.from_partner, tie.to_partner, tie.count) == (world.other_partner, world.partner, 1)
