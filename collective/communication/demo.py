"""Demo data of continuous communication, for both demo initiatives: a year of touchpoints with
agendas, minutes and results, decisions (one asynchronous) with follow-through, open and overdue
actions, an updates feed with a help-wanted post answered, feedback in every state, a survey with
answers, and a webhook with a delivery log.

Everything goes through the services, muted (no email, no webhook request is sent); history is
then dated back with plain updates of the timestamps, since the services stamp "now". The
webhook endpoint has a placeholder address and is written directly: checking its address would
need the network, and the demo never sends to it. Idempotent: an initiative that already has
touchpoints is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from collective.core.models import Membership

from . import services
from .choices import DeliveryState
from .models import (
    ActionItem,
    Decision,
    Feedback,
    Notification,
    Occurrence,
    TouchpointSeries,
    Update,
    WebhookDelivery,
    WebhookEndpoint,
)
from .services.webhooks import emit, new_secret

STEERING_TOPICS = [
    "Hand-off checklist between Sales and Onboarding",
    "Security review backlog",
    "Template for integration set-up",
    "Billing set-up before go-live",
    "What customers told us this quarter",
    "Self-serve set-up pilot",
]
MINUTES = (
    "**Present:** {people}.\n\n"
    "- Reviewed the measures: time to go live is {trend}.\n"
    "- {topic}: agreed next steps (see actions).\n"
    "- Learning: hand-offs improve when both teams meet the customer together.\n"
)


def _user(world, username):
    return world.users.get(username)


def _members(initiative, roles=None):
    qs = Membership.objects.filter(initiative=initiative).select_related("user", "partner")
    if roles:
        qs = qs.filter(role__in=roles)
    return list(qs)


def _back(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)


def load(world) -> None:
    with services.muted():
        _load(world, world.company, "backbone", "lead", "contributor")
        _load(world, world.coalition, "coalition", "county.lee", "shelter.ana")


def _load(world, initiative, backbone_name, lead_name, contributor_name) -> None:
    if TouchpointSeries.objects.filter(initiative=initiative).exists():
        return
    rng = random.Random(initiative.slug)
    backbone = _user(world, backbone_name)
    lead = _user(world, lead_name)
    contributor = _user(world, contributor_name)
    members = _members(initiative)
    people = [m.user for m in members]
    partners = list(initiative.partners.order_by("path"))
    now = timezone.now()
    today = timezone.localdate()
    first = (now - dt.timedelta(days=365)).astimezone(dt.UTC)
    # Monthly steering group (first Tuesday), fortnightly working group (facilitated by the lead).
    steering = services.series_create(
        actor=backbone,
        initiative=initiative,
        title="Steering group",
        kind="steering",
        purpose="Partner leads look at the shared measures together, decide and recalibrate.",
        cadence="monthly",
        first_start=_weekday(first, 1).replace(hour=10, minute=0, tzinfo=None),
        time_zone="Europe/London",
        duration_minutes=90,
        facilitator=backbone,
        location="Boardroom 2 and video call",
        agenda_template="Welcome and apologies\nRound of partner news",
        partners=partners[:6],
    )
    working = services.series_create(
        actor=backbone,
        initiative=initiative,
        title="Hand-offs working group",
        kind="working",
        purpose="The people who do the hand-offs every day fix them together.",
        cadence="fortnightly",
        first_start=_weekday(first, 3).replace(hour=14, minute=0, tzinfo=None),
        time_zone="Europe/London",
        duration_minutes=60,
        facilitator=lead,
        location="https://meet.example.org/handoffs",
    )
    learning = services.series_create(
        actor=backbone,
        initiative=initiative,
        title="Quarterly learning session",
        kind="learning",
        purpose="What did we learn this quarter, and what do we change?",
        cadence="custom",
        rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=-1TH",
        first_start=_weekday(first, 3).replace(hour=15, minute=0, tzinfo=None),
        time_zone="Europe/London",
        duration_minutes=120,
        facilitator=backbone,
        location="Town hall",
    )
    services.backlog_add(actor=lead, series=steering, title="Onboarding survey results")
    from collective.agenda.models import Outcome
    from collective.measurement.models import Indicator

    outcome = Outcome.objects.filter(initiative=initiative, retired=False).first()
    indicator = Indicator.objects.filter(initiative=initiative, archived=False).first()
    decisions = []
    # Meetings that ended more than a day ago get their history; one in progress is left alone.
    ended = now - dt.timedelta(days=1)
    past = list(steering.occurrences.filter(end__lt=ended).order_by("start"))
    for index, occ in enumerate(past):
        topic = STEERING_TOPICS[index % len(STEERING_TOPICS)]
        if index == 4:
            services.occurrence_cancel(actor=backbone, occurrence=occ, note="Summer break")
            continue
        items = [
            services.agenda_item_add(actor=backbone, occurrence=occ, title="Round of news"),
            services.agenda_item_add(
                actor=backbone, occurrence=occ, title=topic, outcome=outcome, indicator=indicator
            ),
        ]
        present = rng.sample(people, k=min(len(people), 6))
        services.attendance_record(
            actor=backbone, occurrence=occ, present=present, partners=partners[:4]
        )
        if occ is past[-1]:
            continue  # the latest meeting is left for the backbone to close (flagged)
        decision = services.decision_record(
            actor=backbone,
            initiative=initiative,
            title=f"{topic}: way forward",
            statement=f"We adopt the proposal on “{topic.lower()}” and review it in three months.",
            occurrence=occ,
            consulted="Partner leads at the steering group; frontline staff beforehand.",
            owner=lead,
            indicators=[indicator] if indicator else [],
            outcomes=[outcome] if outcome else [],
        )
        decisions.append(decision)
        owner = rng.choice([lead, contributor, *people[:5]])
        action = services.action_create(
            actor=backbone,
            initiative=initiative,
            title=f"Follow up: {topic.lower()}",
            due_date=today + dt.timedelta(days=14),
            owner=owner,
            occurrence=occ,
            decision=decision,
        )
        due = timezone.localdate(occ.start) + dt.timedelta(days=21)
        done = due < today - dt.timedelta(days=30) and rng.random() < 0.8
        if done:
            services.action_update(actor=owner, action=action, status="done")
        _back(
            ActionItem,
            action.pk,
            due_date=due,
            created_at=occ.start,
            done_at=occ.start + dt.timedelta(days=rng.randint(5, 25)) if done else None,
        )
        services.minutes_save(
            actor=backbone,
            occurrence=occ,
            minutes=MINUTES.format(
                people=", ".join(p.name for p in present[:5]),
                trend=rng.choice(["improving", "flat", "slipping"]),
                topic=topic,
            ),
        )
        services.meeting_close(
            actor=backbone,
            occurrence=occ,
            results={
                str(items[0].uid): ("noted", ""),
                str(items[1].uid): ("decided", f"Decision D{decision.number}"),
            },
        )
        services.minutes_lock(actor=backbone, occurrence=occ)
        _back(
            Decision,
            decision.pk,
            decided_at=occ.start,
            created_at=occ.start,
            review_date=timezone.localdate(occ.start) + dt.timedelta(days=90),
        )
        _back(Occurrence, occ.pk, closed_at=occ.end + dt.timedelta(hours=2))
    for occ in working.occurrences.filter(end__lt=ended).order_by("start"):
        services.agenda_item_add(actor=lead, occurrence=occ, title="Hand-offs this fortnight")
        services.minutes_save(
            actor=lead, occurrence=occ, minutes="- Walked through last fortnight's hand-offs.\n"
        )
        services.meeting_close(actor=lead, occurrence=occ)
    for occ in learning.occurrences.filter(end__lt=ended).order_by("start"):
        services.agenda_item_add(actor=backbone, occurrence=occ, title="What we learnt")
        services.minutes_save(
            actor=backbone,
            occurrence=occ,
            minutes="- Each partner shared one thing that worked and one that did not.\n",
        )
        services.meeting_close(actor=backbone, occurrence=occ)
        services.minutes_lock(actor=backbone, occurrence=occ)
    # Reviews: decisions were reviewed on time, except the latest one now due for review.
    for decision in decisions[:-2]:
        services.decision_review(
            actor=backbone,
            decision=decision,
            note="Actions done; the measure moved the right way. Keep it.",
        )
    # Open and overdue actions.
    for days, title in (
        (-12, "Send the security questionnaire template to Sales"),
        (-3, "Book the integration templates demo"),
        (6, "Draft the self-serve set-up guide"),
        (20, "Agree billing set-up checklist with Finance"),
    ):
        action = services.action_create(
            actor=backbone,
            initiative=initiative,
            title=title,
            due_date=today + dt.timedelta(days=max(days, 1)),
            owner=contributor if days < 0 else lead,
        )
        if days < 0:
            _back(ActionItem, action.pk, due_date=today + dt.timedelta(days=days))
    open_proposal = _asynchronous(initiative, backbone, members, rng)
    _updates(initiative, partners, members, rng)
    _feedback(initiative, backbone, members, decisions)
    _survey(initiative, backbone, members, rng)
    _webhook(initiative, backbone, decisions)
    # What the demo did is read; the open proposal and one new action stay unread for the bell.
    read = Notification.objects.filter(initiative=initiative, read_at__isnull=True)
    if open_proposal is not None:
        read = read.exclude(target_id=str(open_proposal.uid))
    read.update(read_at=timezone.now())
    services.action_create(
        actor=backbone,
        initiative=initiative,
        title="Prepare the partner news for the next steering group",
        due_date=today + dt.timedelta(days=10),
        owner=contributor,
    )


def _weekday(when: dt.datetime, weekday: int) -> dt.datetime:
    return when + dt.timedelta(days=(weekday - when.weekday()) % 7)


def _asynchronous(initiative, backbone, members, rng) -> None:
    asked = [m.user for m in members if m.role in ("partner_lead", "contributor")][:8]
    if not asked:
        return None
    proposal = services.decision_propose(
        actor=backbone,
        initiative=initiative,
        title="Move the working group to every week during the pilot",
        proposal="The pilot needs faster feedback loops: weekly, 30 minutes, for eight weeks.",
        deadline=timezone.now() + dt.timedelta(days=1),
        asked=asked,
        quorum_percent=50,
    )
    stances = ["support", "support", "object", "abstain", "support"]
    for person, stance in zip(asked, stances, strict=False):
        services.decision_vote(
            actor=person,
            decision=proposal,
            stance=stance,
            reason="Frontline staff cannot spare an hour every week." if stance == "object" else "",
        )
    services.decision_conclude(
        actor=backbone,
        decision=proposal,
        statement="Weekly for the pilot, but 30 minutes and optional for frontline staff — the "
        "objection was heard.",
        review_date=timezone.localdate() + dt.timedelta(days=60),
    )
    # A second proposal is still open, so the register shows one in progress.
    return services.decision_propose(
        actor=backbone,
        initiative=initiative,
        title="Share the onboarding dashboard with customers",
        proposal="Customers see their own onboarding progress in a read-only view.",
        deadline=timezone.now() + dt.timedelta(days=5),
        asked=asked,
        quorum_percent=60,
    )


def _updates(initiative, partners, members, rng) -> None:
    by_partner = {}
    for m in members:
        if m.partner_id and m.role in ("contributor", "partner_lead"):
            by_partner.setdefault(m.partner_id, m.user)
    posters = [(p, by_partner[p.pk]) for p in partners if p.pk in by_partner]
    if len(posters) < 2:
        return
    now = timezone.now()
    texts = [
        (
            "progress",
            "Hand-off checklist used for every new customer",
            "All 14 customers this month had a complete hand-off note at signing.",
        ),
        (
            "learning",
            "Joint kick-off calls cut questions in half",
            "When Sales and Onboarding "
            "meet the customer together, customers ask half as many questions later.",
        ),
        (
            "risk",
            "Security reviews may slip in December",
            "Two reviewers are on leave; reviews could take 15 working days instead of 5.",
        ),
        (
            "progress",
            "Integration template covers three CRMs",
            "Salesforce, HubSpot and Dynamics are now set up from the template.",
        ),
    ]
    for day, (kind, title, body) in enumerate(texts * 3):
        partner, user = posters[day % len(posters)]
        update = services.update_post(
            actor=user, initiative=initiative, kind=kind, title=title, body=body, partner=partner
        )
        _back(Update, update.pk, created_at=now - dt.timedelta(days=3 * (12 - day)))
    (asker_partner, asker), (helper_partner, helper) = posters[0], posters[1]
    post = services.update_post(
        actor=asker,
        initiative=initiative,
        kind="help_wanted",
        title="Need someone who knows single sign-on set-up",
        body="Three customers are waiting on SSO; can a partner lend an expert for a week?",
        partner=asker_partner,
    )
    offer = services.help_offer(
        actor=helper, update=post, message="We can lend an engineer for three days next week."
    )
    services.update_reply(actor=asker, update=post, body="Thank you — that unblocks all three.")
    services.help_resolve(actor=asker, update=post, offer=offer)
    services.update_post(
        actor=helper,
        initiative=initiative,
        kind="help_wanted",
        title="Looking for customer quotes for the case study",
        body="Who has a customer happy to be quoted about faster onboarding?",
        partner=helper_partner,
    )
    services.discussion_start(
        actor=asker,
        initiative=initiative,
        title="How do we measure 'getting value'?",
        body="Is the first report run a good sign of value? What do others think?",
    )


def _feedback(initiative, backbone, members, decisions) -> None:
    voices = [m.user for m in members] or [backbone]
    rows = [
        (
            "meetings",
            "The steering group runs over time every month.",
            "acted_on",
            "We added a timekeeper and a 90-minute hard stop; the last four ended on time.",
        ),
        ("measures", "The dashboard is hard to read on a phone.", "considered", ""),
        (
            "agenda",
            "The vision should mention getting value, not just going live.",
            "acted_on",
            "You said it, we did: agenda v2 now aims at 14 days to value.",
        ),
        (
            "ways_of_working",
            "Could we rotate who chairs the working group?",
            "declined",
            "We keep one facilitator for continuity during the pilot; we will revisit in spring.",
        ),
        ("services", "Customers still get two welcome emails.", "new", ""),
        ("other", "Thank you for making the data visible to everyone.", "new", ""),
    ]
    now = timezone.now()
    for index, (theme, body, status, response) in enumerate(rows):
        item = services.feedback_give(
            actor=voices[index % len(voices)],
            initiative=initiative,
            theme=theme,
            body=body,
            anonymous=index == 3,
        )
        if status != "new":
            services.feedback_respond(
                actor=backbone,
                feedback=item,
                status="considered",
            )
        if status in ("acted_on", "declined"):
            led_to = decisions[0] if decisions and status == "acted_on" and index == 0 else None
            services.feedback_respond(
                actor=backbone,
                feedback=item,
                status=status,
                response=response,
                led_to=led_to,
                led_to_label="Agenda v2" if index == 2 else "",
                led_to_url=f"/i/{initiative.slug}/agenda/v/2/" if index == 2 else "",
            )
        created = now - dt.timedelta(days=40 - 6 * index)
        _back(Feedback, item.pk, created_at=created)
        if status != "new":
            _back(Feedback, item.pk, responded_at=created + dt.timedelta(days=3 + index))


def _survey(initiative, backbone, members, rng) -> None:
    survey = services.survey_create(
        actor=backbone,
        initiative=initiative,
        title="Partnership pulse — this quarter",
        intro="Three questions, two minutes. Your answers are anonymous.",
        questions=[
            {"kind": "scale", "text": "I feel heard in this initiative."},
            {
                "kind": "choice",
                "text": "Our meetings are…",
                "choices": ["too many", "about right", "too few"],
            },
            {"kind": "text", "text": "One thing we should change?"},
        ],
        anonymous=True,
        min_group_size=5,
    )
    services.survey_open(
        actor=backbone, survey=survey, closes_at=timezone.now() + dt.timedelta(days=7)
    )
    questions = list(survey.questions.all())
    for m in members[: max(0, len(members) - 3)]:
        if m.user == backbone:
            continue
        services.survey_respond(
            actor=m.user,
            survey=survey,
            answers={
                questions[0].pk: rng.choice([3, 4, 4, 5, 2]),
                questions[1].pk: rng.choice(questions[1].choices),
                questions[2].pk: rng.choice(["", "Shorter meetings", "More customer stories"]),
            },
        )
    services.survey_close(actor=backbone, survey=survey)


def _webhook(initiative, backbone, decisions) -> None:
    endpoint = WebhookEndpoint.objects.create(
        initiative=initiative,
        name="Team chat (placeholder)",
        url="https://hooks.example.invalid/services/collective-demo",
        format="slack",
        events=["decision.taken", "action.created", "update.posted"],
        secret=new_secret(),
        owner=backbone,
    )
    for decision in decisions[-4:]:
        emit(initiative=initiative, event_type="decision.taken", obj=decision)
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk"))
    for index, delivery in enumerate(deliveries):
        ok = index != 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.SUCCEEDED if ok else DeliveryState.FAILED,
            attempts=1 if ok else 7,
            last_status=200 if ok else 500,
            last_error="" if ok else "The receiver answered 500.",
            last_duration_ms=180 + index * 7,
            delivered_at=delivery.created_at if ok else None,
            next_attempt_at=None,
        )
