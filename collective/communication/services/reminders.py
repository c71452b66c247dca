"""Reminders from one idempotent periodic command (`manage.py run_reminders`).

Every reminder has a key naming what it is about and when (an overdue item is reminded again
every `repeat_overdue_days`, with the repeat number in the key). A key is inserted once into
`ReminderLog`; a run sends only the rows it inserted, so running twice — or two runs at the same
time — never sends the same reminder twice. After `escalate_after` reminders to one person
about the same thing, their partner lead is told (once).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from collective.core.models import Initiative, Membership

from ..choices import (
    OPEN_ACTION_STATUSES,
    DecisionStatus,
    MinutesState,
    NotificationKind,
    OccurrenceStatus,
)
from ..models import (
    ActionItem,
    CommunicationSettings,
    Decision,
    DecisionVote,
    Notification,
    Occurrence,
    ReminderLog,
)
from .common import is_muted, on_commit

CHUNK = 500


@dataclass
class Reminder:
    key: str
    initiative: Initiative
    user_id: int
    subject: str
    title: str
    url: str = ""
    body: str = ""


def _config(initiative) -> CommunicationSettings:
    return CommunicationSettings.objects.filter(initiative=initiative).first() or (
        CommunicationSettings(initiative=initiative)
    )


def _repeat(days_late: int, every: int) -> int:
    return days_late // max(1, every)


def _leads_by_partner(initiative) -> dict[int, list[int]]:
    leads = defaultdict(list)
    for partner_id, user_id in Membership.objects.filter(
        initiative=initiative, role="partner_lead", partner__isnull=False
    ).values_list("partner_id", "user_id"):
        leads[partner_id].append(user_id)
    return leads


def _action_reminders(initiative, config, today, leads) -> list[Reminder]:
    found = []
    horizon = today + dt.timedelta(days=config.remind_days_before)
    for action in ActionItem.objects.filter(
        initiative=initiative, status__in=OPEN_ACTION_STATUSES, due_date__lte=horizon
    ).only("uid", "title", "due_date", "owner_id", "owner_partner_id", "initiative_id"):
        people = [action.owner_id] if action.owner_id else leads.get(action.owner_partner_id, [])
        url = f"/i/{initiative.slug}/communication/actions/{action.uid}/"
        for user_id in people:
            if action.due_date >= today:
                key = f"action-due:{action.uid}:{user_id}"
                title = f"Action due {_when(action.due_date, today)}: {action.title}"
            else:
                late = (today - action.due_date).days
                repeat = _repeat(late, config.repeat_overdue_days)
                key = f"action-overdue:{action.uid}:{user_id}:{repeat}"
                title = f"Action {late} day{'s' if late != 1 else ''} late: {action.title}"
            found.append(Reminder(key, initiative, user_id, f"action:{action.uid}", title, url))
    return found


def _when(due: dt.date, today: dt.date) -> str:
    days = (due - today).days
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _data_reminders(initiative, config, today) -> list[Reminder]:
    """Data due and overdue, from shared measurement's reporting duties of each partner: one
    reminder per person and partner listing what is due. Its key names the duties it lists (with
    the repeat number of overdue ones), so it goes again only when that list changes."""
    import hashlib

    from collective.measurement.selectors import reporting_duties

    people = defaultdict(list)
    for partner_id, user_id in Membership.objects.filter(
        initiative=initiative, partner__isnull=False, role__in=["contributor", "partner_lead"]
    ).values_list("partner_id", "user_id"):
        people[partner_id].append(user_id)
    found = []
    partners = {p.pk: p for p in initiative.partners.filter(pk__in=list(people))}
    url = f"/i/{initiative.slug}/measures/"
    for partner_id, user_ids in people.items():
        partner = partners.get(partner_id)
        if partner is None:
            continue
        due, late, parts = [], [], []
        for duty in reporting_duties(initiative, partner, today=today, window=2):
            state, days, indicator = duty["state"], duty["days"], duty["indicator"]
            if state == "due" and days <= config.remind_days_before:
                due.append(
                    f"{indicator.name} ({duty['label']}), due {_when(duty['due_date'], today)}"
                )
                parts.append(f"{indicator.pk}:{duty['period']}:due")
            elif state == "overdue":
                late.append(f"{indicator.name} ({duty['label']}), {-days} days late")
                repeat = _repeat(-days, config.repeat_overdue_days)
                parts.append(f"{indicator.pk}:{duty['period']}:late{repeat}")
        if not parts:
            continue
        digest = hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:16]
        if late:
            title = (
                f"Data late for {partner.label}: {len(late)} value{'s' if len(late) != 1 else ''}"
            )
        else:
            title = f"Data due for {partner.label}: {len(due)} value{'s' if len(due) != 1 else ''}"
        body = "\n".join(f"- {line}" for line in late + due)
        found += [
            Reminder(
                f"data:{partner_id}:{u}:{digest}",
                initiative,
                u,
                f"data:{partner_id}",
                title,
                url,
                body=body,
            )
            for u in user_ids
        ]
    return found


def _meeting_reminders(initiative, config, now, backbone) -> list[Reminder]:
    found = []
    late_before = now - dt.timedelta(days=config.close_meeting_after_days)
    for occ in Occurrence.objects.filter(
        initiative=initiative, status=OccurrenceStatus.SCHEDULED, end__lt=late_before
    ).select_related("series"):
        people = [occ.series.facilitator_id] if occ.series.facilitator_id else backbone
        days = (now - occ.end).days
        for user_id in people:
            found.append(
                Reminder(
                    f"meeting-close:{occ.uid}:{user_id}:"
                    f"{_repeat(days, config.repeat_overdue_days)}",
                    initiative,
                    user_id,
                    f"meeting:{occ.uid}",
                    f"Meeting to close: {occ.series.title} of {occ.start:%d %b} "
                    "(record results and actions)",
                    f"/i/{initiative.slug}/communication/meetings/{occ.uid}/",
                )
            )
    for occ in Occurrence.objects.filter(
        initiative=initiative, minutes_state=MinutesState.CORRECTIONS, corrections_until__lt=now
    ).select_related("series"):
        people = [occ.series.facilitator_id] if occ.series.facilitator_id else backbone
        for user_id in people:
            found.append(
                Reminder(
                    f"minutes-lock:{occ.uid}:{user_id}",
                    initiative,
                    user_id,
                    f"minutes:{occ.uid}",
                    f"Minutes to lock: {occ.series.title} of {occ.start:%d %b}",
                    f"/i/{initiative.slug}/communication/meetings/{occ.uid}/",
                )
            )
    return found


def _decision_reminders(initiative, config, now, today, backbone) -> list[Reminder]:
    found = []
    horizon = today + dt.timedelta(days=config.remind_days_before)
    for decision in Decision.objects.filter(
        initiative=initiative,
        status=DecisionStatus.TAKEN,
        reviewed_at__isnull=True,
        review_date__lte=horizon,
    ):
        people = (
            [decision.owner_id or decision.decided_by_id]
            if (decision.owner_id or decision.decided_by_id)
            else backbone
        )
        url = f"/i/{initiative.slug}/communication/decisions/{decision.number}/"
        for user_id in people:
            found.append(
                Reminder(
                    f"decision-review:{decision.uid}:{user_id}",
                    initiative,
                    user_id,
                    f"decision:{decision.uid}",
                    f"Decision to review {_when(decision.review_date, today)}: "
                    f"D{decision.number} {decision.title}"
                    if decision.review_date >= today
                    else f"Decision review overdue: D{decision.number} {decision.title}",
                    url,
                )
            )
    closing = Decision.objects.filter(
        initiative=initiative,
        status=DecisionStatus.PROPOSED,
        deadline__gt=now,
        deadline__lte=now + dt.timedelta(days=1),
    ).prefetch_related("asked")
    for decision in closing:
        voted = set(
            DecisionVote.objects.filter(decision=decision).values_list("user_id", flat=True)
        )
        url = f"/i/{initiative.slug}/communication/decisions/{decision.number}/"
        for person in decision.asked.all():
            if person.pk in voted:
                continue
            found.append(
                Reminder(
                    f"proposal-closing:{decision.uid}:{person.pk}",
                    initiative,
                    person.pk,
                    f"proposal:{decision.uid}",
                    f"Proposal closing within a day: D{decision.number} {decision.title}",
                    url,
                )
            )
    return found


def _consultation_reminders(initiative, config, now) -> list[Reminder]:
    """The agenda's consultation, open for a while: contributors who said nothing yet."""
    from collective.agenda.selectors import version_working

    version = version_working(initiative)
    if (
        version is None
        or not version.consultation_is_open
        or not version.consultation_opened_at
        or version.consultation_opened_at > now - dt.timedelta(days=config.consultation_remind_days)
    ):
        return []
    spoke = set(version.consultation_items.values_list("author_id", flat=True))
    url = f"/i/{initiative.slug}/agenda/v/{version.number}/consultation/"
    return [
        Reminder(
            f"consultation:{version.uid}:{user_id}",
            initiative,
            user_id,
            f"consultation:{version.uid}",
            f"The consultation on agenda v{version.number} is still open: have your say",
            url,
        )
        for user_id in Membership.objects.filter(
            initiative=initiative, role__in=["contributor", "partner_lead"]
        ).values_list("user_id", flat=True)
        if user_id not in spoke
    ]


def _data_checked_today(initiative, today, run) -> bool:
    """Reporting duties change by the day: read them once a day per initiative (a marker row in
    the reminder log), so runs every few minutes stay cheap."""
    key = f"data-checked:{initiative.pk}:{today.isoformat()}"
    ReminderLog.objects.bulk_create(
        [
            ReminderLog(
                initiative=initiative,
                key=key,
                user=None,
                subject="data-checked",
                sent_at=timezone.now(),
                run=run,
            )
        ],
        ignore_conflicts=True,
    )
    return not ReminderLog.objects.filter(key=key, run=run).exists()


def collect(initiative, now: dt.datetime, run: str = "") -> list[Reminder]:
    config = _config(initiative)
    today = timezone.localdate(now)
    data = [] if run and _data_checked_today(initiative, today, run) else None
    leads = _leads_by_partner(initiative)
    backbone = list(
        Membership.objects.filter(initiative=initiative, role="backbone").values_list(
            "user_id", flat=True
        )
    )
    return [
        *_action_reminders(initiative, config, today, leads),
        *(data if data is not None else _data_reminders(initiative, config, today)),
        *_meeting_reminders(initiative, config, now, backbone),
        *_decision_reminders(initiative, config, now, today, backbone),
        *_consultation_reminders(initiative, config, now),
    ]


def _claim(reminders: list[Reminder], run: str, now) -> list[Reminder]:
    """Insert the keys not sent before; return the reminders this run inserted."""
    by_key = {r.key: r for r in reminders}
    keys = list(by_key)
    sent = set()
    for i in range(0, len(keys), CHUNK):
        sent |= set(
            ReminderLog.objects.filter(key__in=keys[i : i + CHUNK]).values_list("key", flat=True)
        )
    fresh = [by_key[k] for k in keys if k not in sent]
    ReminderLog.objects.bulk_create(
        [
            ReminderLog(
                initiative=r.initiative,
                key=r.key,
                user_id=r.user_id,
                subject=r.subject,
                sent_at=now,
                run=run,
            )
            for r in fresh
        ],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    mine = set()
    fresh_keys = [r.key for r in fresh]
    for i in range(0, len(fresh_keys), CHUNK):
        mine |= set(
            ReminderLog.objects.filter(key__in=fresh_keys[i : i + CHUNK], run=run).values_list(
                "key", flat=True
            )
        )
    return [r for r in fresh if r.key in mine]


def _escalations(initiative, sent: list[Reminder], config, run, now) -> list[Reminder]:
    """Tell a partner lead once when one of their people has had `escalate_after` reminders
    about the same thing."""
    subjects = {r.subject for r in sent}
    users = {r.user_id for r in sent}
    if not subjects:
        return []
    counts = (
        ReminderLog.objects.filter(initiative=initiative, subject__in=subjects, user_id__in=users)
        .exclude(key__startswith="escalate:")
        .values("user_id", "subject")
        .annotate(n=Count("id"))
    )
    partner_of = dict(
        Membership.objects.filter(initiative=initiative, user_id__in=users).values_list(
            "user_id", "partner_id"
        )
    )
    leads = _leads_by_partner(initiative)
    titles = {(r.user_id, r.subject): r for r in sent}
    found = []
    for row in counts:
        if row["n"] < config.escalate_after:
            continue
        reminder = titles.get((row["user_id"], row["subject"]))
        if reminder is None:
            continue
        for lead_id in leads.get(partner_of.get(row["user_id"]), []):
            if lead_id == row["user_id"]:
                continue
            found.append(
                Reminder(
                    f"escalate:{row['subject']}:{row['user_id']}:{lead_id}",
                    initiative,
                    lead_id,
                    f"escalation:{row['subject']}",
                    f"One of your people has been reminded {row['n']} times: {reminder.title}",
                    reminder.url,
                    body="As their partner lead you may be able to help unblock it.",
                )
            )
    return _claim(found, run, now)


def run_reminders(now: dt.datetime | None = None, *, digests: bool = True) -> dict:
    """Send every reminder that is due and not sent before. Returns counts."""
    from .touchpoints import occurrences_extend
    from .webhooks import deliveries_retry_due

    now = now or timezone.now()
    run = uuid.uuid4().hex
    counts = {"reminders": 0, "escalations": 0, "occurrences": 0}
    from ..models import TouchpointSeries

    for series in TouchpointSeries.objects.filter(ended=False):
        counts["occurrences"] += occurrences_extend(series)
    for initiative in Initiative.objects.all():
        config = _config(initiative)
        with transaction.atomic():
            sent = _claim(collect(initiative, now, run), run, now)
            escalated = _escalations(initiative, sent, config, run, now)
            _notify(initiative, [*sent, *escalated], now)
        counts["reminders"] += len(sent)
        counts["escalations"] += len(escalated)
    counts["webhook_retries"] = deliveries_retry_due(now)
    if digests:
        from .digests import send_digests

        counts["digests"] = send_digests(now)
    return counts


def _notify(initiative, reminders: list[Reminder], now) -> None:
    if not reminders:
        return
    from ..choices import EmailMode
    from ..models import NotificationPreference

    rows = Notification.objects.bulk_create(
        [
            Notification(
                initiative=initiative,
                user_id=r.user_id,
                kind=NotificationKind.REMINDER,
                title=r.title[:300],
                body=r.body,
                url=r.url,
                target_type="reminder",
                target_id=r.subject[:64],
                target_label=r.subject[:300],
                created_at=now,
            )
            for r in reminders
        ],
        batch_size=CHUNK,
    )
    if is_muted():
        return
    immediate = set(
        NotificationPreference.objects.filter(
            user_id__in={r.user_id for r in reminders}, email_mode=EmailMode.IMMEDIATE
        ).values_list("user_id", flat=True)
    )
    ids = [n.pk for n in rows if n.user_id in immediate and n.pk]
    if not ids:
        # bulk_create may not return ids on every database; look them up by this run's stamp.
        ids = list(
            Notification.objects.filter(
                initiative=initiative, created_at=now, user_id__in=immediate, kind="reminder"
            ).values_list("pk", flat=True)
        )
    if ids:
        from ..tasks import send_notification_emails

        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            on_commit(lambda chunk=chunk: send_notification_emails.enqueue(notification_ids=chunk))
