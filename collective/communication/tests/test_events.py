"""Events other apps raise, end to end with those apps installed: the common agenda's
announcements (consultation opened and closed, version adopted, endorsement requested) and the
activities' slips, coordination requests and help offers become notifications — in the bell and
in the digest — and a coordination request opens a discussion."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from collective.activities import services as activities
from collective.activities.models import HelpTie
from collective.agenda import services as agenda
from collective.agenda.tests.helpers import adopted_version, draft_with_tree
from collective.communication import services
from collective.communication.models import (
    Discussion,
    DiscussionFollow,
    Notification,
    SlippedActivity,
)
from collective.core import hooks
from collective.core.choices import Role
from tests.factories import UserFactory, add_member

from .helpers import make_update


def _bell(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% include 'communication/_bell.html' %}").render(
        Context({"request": request})
    )


def _titles(user) -> set[str]:
    return set(Notification.objects.filter(user=user).values_list("title", flat=True))


def _digest_for(user) -> str:
    """The person's daily digest, the morning after."""
    services.preference_update(user=user, email_mode="daily", time_zone="UTC", digest_hour=7)
    tomorrow = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(7, 30), dt.UTC), tick=False):
        services.send_digests()
    sent = [m for m in mail.outbox if m.to == [user.email]]
    assert sent, "no digest was sent"
    return sent[-1].body


@pytest.fixture
def sales_lead(world):
    return add_member(
        world.initiative,
        UserFactory(username="sl"),
        role=Role.PARTNER_LEAD,
        partner=world.other_partner,
    )


# --- The common agenda -----------------------------------------------------------------------


def test_a_consultation_opened_reaches_the_bell_and_the_digest_not_the_viewers(world, commits):
    version, *_ = draft_with_tree(world)
    mail.outbox.clear()
    with commits():
        agenda.consultation_open(actor=world.users["backbone"], version=version)
    title = f"Have your say on the draft agenda (v{version.number})"
    contributor = world.users["contributor"]
    note = Notification.objects.get(user=contributor, title=title)
    assert note.kind == "agenda" and note.url.endswith(f"/v/{version.number}/consultation/")
    assert title in _titles(world.users["lead"])
    assert title not in _titles(world.users["viewer"])  # viewers read; they are not consulted
    assert not Notification.objects.filter(user=world.users["backbone"], title=title).exists()
    assert not Notification.objects.filter(user=world.users["outsider"]).exists()
    # The agenda sends no email of its own when communication delivers its announcements.
    assert not [m for m in mail.outbox if "Have your say" in m.subject]
    assert title in _bell(contributor)
    digest = _digest_for(contributor)
    assert title in digest and note.url in digest


def test_adoption_tells_everyone_and_asks_each_partner_lead_to_endorse(world, commits, sales_lead):
    version, *_ = draft_with_tree(world)
    with commits():
        agenda.agenda_adopt(actor=world.users["backbone"], version=version, rationale="We agree.")
    adopted, endorse = (
        f"Agenda v{version.number} is adopted",
        f"Please endorse agenda v{version.number}",
    )
    for role in ("viewer", "contributor"):
        assert adopted in _titles(world.users[role]) and endorse not in _titles(world.users[role])
    for lead in (world.users["lead"], sales_lead):
        assert endorse in _titles(lead) and adopted not in _titles(lead)
    request = Notification.objects.get(user=sales_lead, title=endorse)
    assert request.url.endswith(f"/agenda/v/{version.number}/endorse/")
    assert request.target_type == "agendaversion"
    assert endorse in _bell(sales_lead)
    assert endorse in _digest_for(sales_lead)
    viewer = Notification.objects.get(user=world.users["viewer"], title=adopted)
    assert viewer.body == "We agree."


def test_closing_a_consultation_tells_the_people_who_took_part(world, commits):
    adopted_version(world)
    backbone = world.users["backbone"]
    draft = agenda.agenda_draft_create(actor=backbone, initiative=world.initiative, title="Next")
    agenda.consultation_open(actor=backbone, version=draft)
    agenda.item_create(
        actor=world.users["contributor"],
        version=draft,
        kind="comment",
        section="vision",
        body="Right.",
    )
    with commits():
        agenda.consultation_close(actor=backbone, version=draft)
    closed = f"The consultation on agenda v{draft.number} is closed"
    assert closed in _titles(world.users["contributor"])
    assert closed not in _titles(world.users["lead"])  # said nothing


def test_without_a_listener_the_agenda_emails_people_itself(world, commits):
    from collective.communication.services.listeners import on_announced

    version, *_ = draft_with_tree(world)
    hooks._listeners[hooks.ANNOUNCED].remove(on_announced)
    try:
        assert not hooks.announce(
            hooks.Announcement(topic="agenda.x", title="x"),
            actor=None,
            initiative=world.initiative,
        )
        mail.outbox.clear()
        with commits():
            agenda.consultation_open(actor=world.users["backbone"], version=version)
    finally:
        hooks.listen(hooks.ANNOUNCED, on_announced)
    assert not Notification.objects.exists()
    subjects = [m.subject for m in mail.outbox]
    assert subjects and all(s.startswith("Have your say on the agenda") for s in subjects)


def test_an_announcement_reaches_only_members_of_the_initiative(world):
    hooks.announce(
        hooks.Announcement(
            topic="mention.sneaky",  # an urgent kind is never taken from a topic
            title="Hello",
            users=(world.users["viewer"], world.users["outsider"]),
        ),
        actor=world.users["backbone"],
        initiative=world.initiative,
    )
    note = Notification.objects.get()
    assert (note.user, note.kind) == (world.users["viewer"], "update")


# --- Activities --------------------------------------------------------------------------------


def _activity(world, title, partner, lead_person=None, **fields):
    return activities.activity_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        partner=partner,
        title=title,
        lead_person=lead_person,
        **fields,
    )


def test_a_slipped_activity_tells_the_people_of_both_activities(world, commits, sales_lead):
    backbone = world.users["backbone"]
    needed = _activity(
        world,
        "Evidence pack",
        world.partner,
        lead_person=world.users["contributor"],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 1),
    )
    waiting = _activity(world, "Answer library", world.other_partner)
    activities.dependency_add(actor=backbone, activity=waiting, needs=needed)
    with commits():
        activities.activity_update(actor=backbone, activity=needed, end=dt.date(2026, 4, 15))
    title = "Activity slipped: Evidence pack"
    for person in (world.users["contributor"], world.users["lead"], sales_lead):
        assert title in _titles(person), person
    assert title not in _titles(world.users["viewer"])
    note = Notification.objects.get(user=sales_lead, title=title)
    assert note.kind == "activity" and "Waiting on it: Answer library" in note.body
    assert note.url == needed.get_absolute_url()
    slipped = SlippedActivity.objects.get()
    assert slipped.activity_uid == needed.uid and slipped.waiting == ["Answer library"]
    assert title in _bell(sales_lead)
    assert title in _digest_for(sales_lead)


def test_coordinate_opens_a_discussion_followed_by_both_partners(world, commits, sales_lead):
    first = _activity(world, "Food parcels", world.partner, lead_person=world.users["contributor"])
    second = _activity(world, "Weekly food parcels", world.other_partner)
    with commits():
        activities.overlap_decide(
            actor=world.users["backbone"],
            first=first,
            second=second,
            decision="coordinate",
            note="One delivery round",
        )
    discussion = Discussion.objects.get()
    assert discussion.title == "Coordinating: Food parcels and Weekly food parcels"
    post = discussion.posts.get()
    assert "One delivery round" in post.body and first.get_absolute_url() in post.body
    followers = set(DiscussionFollow.objects.values_list("user__username", flat=True))
    # The lead person and partner leads of both activities, and whoever created them.
    assert followers == {"ct", "ld", "sl", "bb"}
    note = Notification.objects.get(user=sales_lead)
    assert note.kind == "discussion" and note.url == discussion.get_absolute_url()
    assert discussion.title in _bell(sales_lead)


def test_help_offered_tells_the_author_and_counts_as_a_tie(world, commits, sales_lead):
    post = make_update(world, kind="help_wanted", title="We need data skills")
    with commits():
        services.help_offer(actor=sales_lead, update=post, message="Our analyst can help.")
    tie = HelpTie.objects.get()
    assert (tie.from_partner, tie.to_partner, tie.count) == (
        world.other_partner,
        world.partner,
        1,
    )
    title = "Sales offers help with “We need data skills”"
    note = Notification.objects.get(user=world.users["contributor"], title=title)
    assert note.url == post.get_absolute_url()
    assert title in _bell(world.users["contributor"])
    assert title in _digest_for(world.users["contributor"])
