"""Reads of continuous communication: lists scoped to an initiative, the evidence an agenda is
drafted from, decision tallies and follow-through, feedback figures, survey results with their
anonymity rules, and the notification bell."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from collective.core.models import Initiative

from .choices import (
    CLOSED_FEEDBACK,
    OPEN_ACTION_STATUSES,
    DecisionStatus,
    FeedbackStatus,
    ItemSource,
    OccurrenceStatus,
    QuestionKind,
    Stance,
    UpdateKind,
)
from .models import (
    ActionItem,
    BacklogTopic,
    Decision,
    Discussion,
    Feedback,
    Notification,
    Occurrence,
    SlippedActivity,
    Survey,
    TouchpointSeries,
    Update,
    WebhookEndpoint,
)

# --- Lookups (404 outside the initiative) ----------------------------------------------------


def _get(qs: QuerySet, what: str, **lookup):
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise Http404(f"No such {what}.")
    return obj


def series_get(initiative, uid):
    return _get(
        TouchpointSeries.objects.filter(initiative=initiative).select_related("facilitator"),
        "touchpoint",
        uid=uid,
    )


def occurrence_get(initiative, uid):
    return _get(
        Occurrence.objects.filter(initiative=initiative).select_related(
            "series", "series__facilitator", "initiative"
        ),
        "meeting",
        uid=uid,
    )


def decision_get(initiative, number):
    return _get(
        Decision.objects.filter(initiative=initiative).select_related(
            "owner", "decided_by", "occurrence", "occurrence__series", "initiative"
        ),
        "decision",
        number=number,
    )


def action_get(initiative, uid):
    return _get(
        ActionItem.objects.filter(initiative=initiative).select_related(
            "owner",
            "owner_partner",
            "decision",
            "occurrence",
            "occurrence__series",
            "outcome",
            "indicator",
            "initiative",
        ),
        "action",
        uid=uid,
    )


def update_get(initiative, uid):
    return _get(
        Update.objects.filter(initiative=initiative).select_related(
            "partner", "author", "outcome", "indicator", "initiative"
        ),
        "update",
        uid=uid,
    )


def discussion_get(initiative, uid):
    return _get(
        Discussion.objects.filter(initiative=initiative).select_related("author", "initiative"),
        "discussion",
        uid=uid,
    )


def feedback_get(initiative, uid):
    return _get(
        Feedback.objects.filter(initiative=initiative).select_related(
            "author", "partner", "responded_by", "initiative"
        ),
        "feedback",
        uid=uid,
    )


def survey_get(initiative, uid):
    return _get(Survey.objects.filter(initiative=initiative), "survey", uid=uid)


def webhook_get(initiative, uid):
    return _get(WebhookEndpoint.objects.filter(initiative=initiative), "webhook", uid=uid)


# --- Lists -----------------------------------------------------------------------------------


def series_list(initiative) -> QuerySet:
    return TouchpointSeries.objects.filter(initiative=initiative).select_related(
        "facilitator", "initiative"
    )


def occurrences_upcoming(initiative, *, now=None, limit=20) -> QuerySet:
    now = now or timezone.now()
    return (
        Occurrence.objects.filter(initiative=initiative, end__gte=now)
        .exclude(status=OccurrenceStatus.CLOSED)
        .select_related("series", "initiative")
        .order_by("start")[:limit]
    )


def occurrences_to_close(initiative, *, now=None) -> QuerySet:
    now = now or timezone.now()
    return (
        Occurrence.objects.filter(
            initiative=initiative, status=OccurrenceStatus.SCHEDULED, end__lt=now
        )
        .select_related("series", "initiative")
        .order_by("-start")
    )


def occurrences_recent(initiative, *, now=None, limit=10) -> QuerySet:
    now = now or timezone.now()
    return (
        Occurrence.objects.filter(initiative=initiative, status=OccurrenceStatus.CLOSED)
        .select_related("series", "initiative")
        .order_by("-start")[:limit]
    )


def platform_occurrences(series: TouchpointSeries, start: dt.datetime, end: dt.datetime):
    """The meetings of a series the platform holds between two times (not cancelled)."""
    return list(
        series.occurrences.filter(start__gte=start, start__lt=end)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .order_by("start")
        .values_list("start", "end")
    )


def action_list(initiative) -> QuerySet:
    return (
        ActionItem.objects.filter(initiative=initiative)
        .select_related("initiative", "owner", "owner_partner", "decision", "occurrence__series")
        .order_by("due_date", "id")
    )


def my_actions(initiative, user) -> QuerySet:
    from collective.core.rules import membership_for

    membership = membership_for(user, initiative)
    mine = Q(owner=user)
    if membership and membership.partner_id and membership.role == "partner_lead":
        mine |= Q(owner__isnull=True, owner_partner_id=membership.partner_id)
    return action_list(initiative).filter(mine)


def update_list(initiative) -> QuerySet:
    # No aggregate here: a GROUP BY would read the whole feed before its first page.
    return (
        Update.objects.filter(initiative=initiative)
        .select_related("initiative", "partner", "author", "outcome", "indicator")
        .order_by("-created_at", "-id")
    )


def with_offer_counts(updates: list) -> list:
    """Set `offer_count` on the updates of one page (one query)."""
    from .models import HelpOffer

    ids = [u.pk for u in updates if u.kind == UpdateKind.HELP_WANTED]
    counts = (
        dict(
            HelpOffer.objects.filter(update_id__in=ids)
            .values("update_id")
            .annotate(n=Count("id"))
            .values_list("update_id", "n")
        )
        if ids
        else {}
    )
    for update in updates:
        update.offer_count = counts.get(update.pk, 0)
    return updates


def discussion_list(initiative) -> QuerySet:
    return Discussion.objects.filter(initiative=initiative).select_related("author", "initiative")


def feedback_list(initiative) -> QuerySet:
    return Feedback.objects.filter(initiative=initiative).select_related(
        "initiative", "author", "partner", "responded_by"
    )


def decision_list(initiative) -> QuerySet:
    return Decision.objects.filter(initiative=initiative).select_related("owner", "initiative")


# --- Agenda from evidence --------------------------------------------------------------------


def _md_link(text: str, url: str) -> str:
    safe = text.replace("[", "(").replace("]", ")")
    return f"[{safe}]({url})" if url else safe


def agenda_evidence(occurrence: Occurrence, today: dt.date | None = None) -> list[dict]:
    """What needs the meeting's attention, as candidate agenda items with a key each."""
    initiative = occurrence.initiative
    day = max(today or timezone.localdate(), timezone.localdate(occurrence.start))
    found: list[dict] = []

    overdue = list(
        ActionItem.objects.filter(
            initiative=initiative, status__in=OPEN_ACTION_STATUSES, due_date__lt=day
        ).select_related("owner", "owner_partner")[:30]
    )
    if overdue:
        lines = [
            f"- {_md_link(a.title, a.get_absolute_url())} — "
            f"{(a.owner or a.owner_partner or '—')}, due {a.due_date:%d %b}"
            for a in overdue
        ]
        found.append(
            {
                "key": "overdue-actions:" + ",".join(sorted(str(a.uid)[:8] for a in overdue)),
                "source": ItemSource.OVERDUE_ACTION,
                "title": f"Matters arising: {len(overdue)} overdue action"
                + ("s" if len(overdue) != 1 else ""),
                "notes": "\n".join(lines),
            }
        )
    for decision in Decision.objects.filter(
        initiative=initiative,
        status=DecisionStatus.TAKEN,
        reviewed_at__isnull=True,
        review_date__lte=day,
    )[:10]:
        found.append(
            {
                "key": f"decision-review:{decision.uid}",
                "source": ItemSource.DECISION_REVIEW,
                "title": f"Review decision D{decision.number}: {decision.title}",
                "notes": f"Due for review on {decision.review_date:%d %b %Y}. "
                + _md_link("Open the decision", decision.get_absolute_url()),
                "outcome": decision.outcomes.first(),
                "indicator": decision.indicators.first(),
            }
        )
    found += _off_track(initiative)
    new_feedback = list(
        Feedback.objects.filter(initiative=initiative, status=FeedbackStatus.NEW)[:20]
    )
    if new_feedback:
        lines = [
            f"- {_md_link(f.get_theme_display(), f.get_absolute_url())}: "
            f"“{f.body[:120]}{'…' if len(f.body) > 120 else ''}”"
            for f in new_feedback
        ]
        found.append(
            {
                "key": "feedback:" + ",".join(sorted(str(f.uid)[:8] for f in new_feedback)),
                "source": ItemSource.FEEDBACK,
                "title": f"Unanswered feedback ({len(new_feedback)})",
                "notes": "\n".join(lines),
            }
        )
    for post in Update.objects.filter(
        initiative=initiative, kind=UpdateKind.HELP_WANTED, resolved_at__isnull=True
    ).select_related("partner", "outcome")[:10]:
        found.append(
            {
                "key": f"help:{post.uid}",
                "source": ItemSource.HELP_WANTED,
                "title": f"Help wanted: {post.title}"
                + (f" ({post.partner.label})" if post.partner else ""),
                "notes": _md_link("Read the post", post.get_absolute_url()),
                "outcome": post.outcome,
                "indicator": post.indicator,
            }
        )
    for slipped in SlippedActivity.objects.filter(initiative=initiative, discussed_at__isnull=True)[
        :10
    ]:
        found.append(
            {
                "key": f"slipped:{slipped.pk}",
                "source": ItemSource.SLIPPED,
                "title": f"Activity slipped: {slipped.activity_title}",
                "notes": slipped.reason
                + (("\n\nWaiting on it: " + ", ".join(slipped.waiting)) if slipped.waiting else ""),
                "activity_type": slipped.activity_type,
                "activity_id": slipped.activity_id,
                "activity_title": slipped.activity_title,
            }
        )
    for topic in BacklogTopic.objects.filter(
        series_id=occurrence.series_id, scheduled_in__isnull=True
    ):
        found.append(
            {
                "key": f"backlog:{topic.pk}",
                "source": ItemSource.BACKLOG,
                "title": topic.title,
                "notes": topic.note,
                "backlog_id": topic.pk,
            }
        )
    return found


def _off_track(initiative) -> list[dict]:
    """Off-track measures, from shared measurement's stored statuses."""
    from collective.measurement.models import IndicatorStatus

    rows = (
        IndicatorStatus.objects.filter(
            initiative=initiative,
            scope__isnull=True,
            status="off_track",
            indicator__archived=False,
        )
        .select_related("indicator")
        .order_by("indicator__code")[:10]
    )
    found = []
    for row in rows:
        indicator = row.indicator
        found.append(
            {
                "key": f"off-track:{indicator.code}:{row.latest_period}",
                "source": ItemSource.OFF_TRACK,
                "title": f"Off track: {indicator.name} ({indicator.code})",
                "notes": row.reason,
                "indicator": indicator,
                "outcome": indicator.outcomes.first(),
            }
        )
    return found


# --- Decisions -------------------------------------------------------------------------------


def decision_tally(decision: Decision) -> dict:
    asked = decision.asked.count()
    stances = Counter(decision.votes.values_list("stance", flat=True))
    responded = sum(stances.values())
    share = round(100 * responded / asked, 1) if asked else 0.0
    return {
        "asked": asked,
        "responded": responded,
        "share": share,
        "support": stances.get(Stance.SUPPORT, 0),
        "object": stances.get(Stance.OBJECT, 0),
        "abstain": stances.get(Stance.ABSTAIN, 0),
        "quorum_met": bool(asked) and share >= decision.quorum_percent,
    }


def decision_follow_through(decision: Decision, today: dt.date | None = None) -> dict:
    """Share of its actions done by the review date, and how linked measures moved since."""
    from collective.measurement.models import Rollup

    today = today or timezone.localdate()
    actions = list(decision.actions.all())
    by = decision.review_date or today
    done = [a for a in actions if a.done_at is not None and timezone.localdate(a.done_at) <= by]
    movement = []
    decided = timezone.localdate(decision.decided_at) if decision.decided_at else None
    for indicator in decision.indicators.all():
        rows = list(
            Rollup.objects.filter(indicator=indicator, scope__isnull=True, breakdown="")
            .order_by("period_start")
            .values_list("period", "period_start", "value")
        )
        before = [r for r in rows if decided and r[1] <= decided and r[2] is not None]
        after = [r for r in rows if r[2] is not None]
        start = before[-1] if before else None
        latest = after[-1] if after else None
        change = (
            latest[2] - start[2]
            if start is not None and latest is not None and latest != start
            else None
        )
        movement.append({"indicator": indicator, "from": start, "to": latest, "change": change})
    return {
        "actions": len(actions),
        "done": len(done),
        "share": round(100 * len(done) / len(actions), 1) if actions else None,
        "by": by,
        "movement": movement,
    }


# --- Feedback figures ------------------------------------------------------------------------


def feedback_figures(initiative) -> dict:
    rows = list(
        Feedback.objects.filter(initiative=initiative).values_list(
            "status", "created_at", "responded_at", "led_to_type_id", "led_to_label"
        )
    )
    total = len(rows)
    days = [
        (responded - created).total_seconds() / 86400
        for _s, created, responded, *_ in rows
        if responded is not None
    ]
    closed = [r for r in rows if r[0] in CLOSED_FEEDBACK]
    changed = [r for r in rows if r[0] == FeedbackStatus.ACTED_ON and (r[3] or r[4])]
    counts = Counter(r[0] for r in rows)
    return {
        "total": total,
        "by_status": {s: counts.get(s, 0) for s in FeedbackStatus.values},
        "median_days": round(statistics.median(days), 1) if days else None,
        "share_closed": round(100 * len(closed) / total, 1) if total else None,
        "share_changed": round(100 * len(changed) / total, 1) if total else None,
    }


# --- Surveys ---------------------------------------------------------------------------------


def suppressed_groups(sizes: dict, k: int) -> set:
    """The groups whose results must be hidden so no group below `k` shows, directly or by
    subtracting the shown groups from the total: small groups are hidden, and while the hidden
    ones together are fewer than `k` (so the total minus the shown groups would reveal them),
    the next smallest group is hidden too."""
    hidden = {g for g, n in sizes.items() if n < k}
    shown = sorted((n, str(g), g) for g, n in sizes.items() if g not in hidden)
    while hidden and sum(sizes[g] for g in hidden) < k and shown:
        _n, _name, group = shown.pop(0)
        hidden.add(group)
    return hidden


def survey_results(survey: Survey) -> dict:
    """Response rate and per-question results, overall and by partner group; an anonymous
    survey shows nothing for fewer than `min_group_size` responses, and hides groups so none
    below it can be seen or worked out."""
    from .models import SurveyAnswer, SurveyInvite, SurveyResponse

    invited = SurveyInvite.objects.filter(survey=survey).count()
    responses = list(
        SurveyResponse.objects.filter(survey=survey).select_related("partner").order_by("pk")
    )
    total = len(responses)
    k = survey.min_group_size if survey.anonymous else 1
    group_of = {r.pk: (r.partner.name if r.partner else "No partner") for r in responses}
    sizes = Counter(group_of.values())
    hidden = suppressed_groups(dict(sizes), k) if survey.anonymous else set()
    enough = total >= k
    answers = defaultdict(list)
    for qid, rid, number, text in SurveyAnswer.objects.filter(response__survey=survey).values_list(
        "question_id", "response_id", "number", "text"
    ):
        answers[qid].append((group_of.get(rid), number, text))
    questions = []
    for q in survey.questions.all():
        rows = answers.get(q.pk, [])
        entry = {"question": q, "count": len(rows), "groups": []}
        if enough:
            entry.update(_summarise(q, rows))
            for group in sorted(sizes):
                if group in hidden:
                    continue
                entry["groups"].append(
                    {
                        "name": group,
                        "n": sizes[group],
                        **_summarise(q, [r for r in rows if r[0] == group]),
                    }
                )
        questions.append(entry)
    return {
        "invited": invited,
        "responses": total,
        "rate": round(100 * total / invited, 1) if invited else None,
        "enough": enough,
        "threshold": k,
        "hidden_groups": len(hidden),
        "hidden_n": sum(sizes[g] for g in hidden),
        "groups": [{"name": g, "n": sizes[g]} for g in sorted(sizes) if g not in hidden],
        "questions": questions,
    }


def _summarise(question, rows) -> dict:
    if question.kind == QuestionKind.SCALE:
        numbers = [n for _g, n, _t in rows if n is not None]
        counts = Counter(numbers)
        return {
            "mean": round(sum(numbers) / len(numbers), 2) if numbers else None,
            "distribution": [(i, counts.get(i, 0)) for i in range(1, 6)],
        }
    if question.kind == QuestionKind.CHOICE:
        counts = Counter(t for _g, _n, t in rows)
        return {"distribution": [(c, counts.get(c, 0)) for c in question.choices]}
    return {"texts": [t for _g, _n, t in rows if t][:200]}


# --- The bell --------------------------------------------------------------------------------


def bell(user, limit: int = 6) -> dict:
    """Unread count and the latest notifications: two queries."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    latest = list(
        Notification.objects.filter(user=user)
        .select_related("initiative")
        .only(
            "pk",
            "title",
            "url",
            "kind",
            "created_at",
            "read_at",
            "initiative__slug",
            "initiative__name",
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return {"unread": unread, "latest": latest}


def notification_list(user, initiative: Initiative | None = None) -> QuerySet:
    qs = Notification.objects.filter(user=user).select_related("actor")
    if initiative is not None:
        qs = qs.filter(initiative=initiative)
    return qs.order_by("-created_at", "-id")
