"""Shared measurement's audit entries as sentences (see collective/core/audit_text.py).

A value: "Cora changed *Days to live* for Onboarding Operations, Nov 2026: 21.1 → 36". The
entry records the new value; the value before comes from the value's history (every change of
a value is kept there, written in the same transaction as the entry).

A bulk save (the grid, an import, the API's list upsert) is one entry with counts; it expands to
its values: the history rows that person wrote since their previous entry — every write of
values records an entry, so those rows are this save's (3 queries per bulk entry shown).
"""

from __future__ import annotations

from django.utils.html import format_html

from collective.core.audit_text import AuditLine, actor_name, value_text
from collective.core.models import AuditEvent

from . import charts
from .models import Observation, ObservationHistory

SHOWN = 25
VALUE_VERBS = {
    "created value": "entered",
    "updated value": "changed",
    "approved value": "approved",
    "returned value": "returned",
}


def _period(code: str) -> str:
    return charts.period_label(code) if code else ""


def _value_lines(events) -> dict[int, AuditLine]:
    wanted = [e for e in events if e.target_type == "observation" and e.verb in VALUE_VERBS]
    if not wanted:
        return {}
    observations = {
        str(o.uid): o
        for o in Observation.objects.filter(uid__in={e.target_id for e in wanted}).select_related(
            "indicator", "partner"
        )
    }
    history: dict[int, list] = {}
    for row in ObservationHistory.objects.filter(
        observation_id__in=[o.pk for o in observations.values()]
    ).order_by("observation_id", "changed_at", "id"):
        history.setdefault(row.observation_id, []).append(row)
    lines = {}
    for event in wanted:
        obs = observations.get(event.target_id)
        if obs is None:
            continue  # deleted since: the core's plain sentence
        changes = event.changes or {}
        new = (changes.get("value") or {}).get("to")
        period = (changes.get("period") or {}).get("to") or obs.period
        verb = VALUE_VERBS[event.verb]
        before = [h for h in history.get(obs.pk, []) if h.changed_at <= event.created_at]
        old = before[-2].value if event.verb == "updated value" and len(before) >= 2 else None
        figure = (
            format_html("{} → {}", value_text(old), value_text(new))
            if old is not None
            else value_text(new)
        )
        if event.verb in ("approved value", "returned value"):
            figure = value_text(obs.value)
        lines[event.pk] = AuditLine(
            event=event,
            sentence=format_html(
                "{} {} <em>{}</em> for {}, {}: {}",
                actor_name(event),
                verb,
                obs.indicator.name,
                obs.partner.name,
                _period(period),
                figure,
            ),
        )
    return lines


def _bulk_lines(events) -> dict[int, AuditLine]:
    lines = {}
    for event in events:
        if event.verb != "saved values" or event.target_type != "initiative":
            continue
        changes = event.changes or {}
        counts = {k: (changes.get(k) or {}).get("to") or 0 for k in ("created", "updated")}
        unchanged = (changes.get("unchanged") or {}).get("to") or 0
        source = (changes.get("source") or {}).get("to") or ""
        written = counts["created"] + counts["updated"]
        how = {"import": "imported", "api": "sent through the API", "form": "entered"}.get(
            source, "saved"
        )
        sentence = format_html(
            "{} {} {} value{} ({} new, {} changed, {} unchanged)",
            actor_name(event),
            how,
            f"{written:,}",
            "" if written == 1 else "s",
            f"{counts['created']:,}",
            f"{counts['updated']:,}",
            f"{unchanged:,}",
        )
        line = AuditLine(event=event, sentence=sentence, item_count=written)
        if written and event.actor_id:
            previous = (
                AuditEvent.objects.filter(
                    initiative_id=event.initiative_id,
                    actor_id=event.actor_id,
                    created_at__lt=event.created_at,
                )
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            rows = ObservationHistory.objects.filter(
                initiative_id=event.initiative_id,
                changed_by_id=event.actor_id,
                changed_at__lte=event.created_at,
            )
            if previous is not None:
                rows = rows.filter(changed_at__gt=previous)
            for row in rows.select_related(
                "observation__indicator", "observation__partner"
            ).order_by("observation__indicator__code", "observation__period_start", "id")[:SHOWN]:
                obs = row.observation
                line.items.append(
                    format_html(
                        "<em>{}</em> for {}, {}{}: {}",
                        obs.indicator.name,
                        obs.partner.name,
                        _period(obs.period),
                        f" ({obs.breakdown})" if obs.breakdown else "",
                        value_text(row.value),
                    )
                )
        lines[event.pk] = line
    return lines


def audit_text(events) -> dict[int, AuditLine]:
    return {**_value_lines(events), **_bulk_lines(events)}
