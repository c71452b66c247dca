"""The audit log in sentences: "Cora changed *Days to live* for Onboarding Operations, Nov 2026:
21.1 → 36", with human field names and numbers.

`audit_lines(events)` turns a page of `AuditEvent`s into `AuditLine`s. The core writes a plain
sentence for any entry (who, what they did, to what; each changed field under its model's
verbose name, numbers formatted for people). A condition app that knows better names its
provider in `Condition.audit_text` (dotted path of `f(events) -> {event.pk: AuditLine}`) and
writes the sentences of its own entries (shared measurement: values, and a bulk save expanded to
its values); the core never names the app.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

from .conditions import conditions
from .numbers import format_plain, to_decimal

# Verbs recorded as codes ("activity.create") read as words.
VERB_WORDS = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "progress": "recorded progress on",
    "slipped": "marked as slipped",
    "review": "reviewed",
    "decide": "decided on",
    "rate": "rated",
    "answer": "answered",
    "open": "opened",
    "close": "closed",
    "defaults": "set the defaults of",
}


@dataclass
class Change:
    label: str
    old: str
    new: str
    is_change: bool


@dataclass
class AuditLine:
    event: object
    sentence: SafeString
    changes: list[Change] = field(default_factory=list)
    # A bulk entry's items (e.g. the values of an import): sentences, and how many in all.
    items: list[SafeString] = field(default_factory=list)
    item_count: int = 0


def _models_by_name() -> dict[str, type]:
    found: dict[str, type] = {}
    for model in apps.get_models():
        found.setdefault(model._meta.model_name, model)
    return found


def field_label(model, name: str) -> str:
    """A field's verbose name ("review_observations" -> "Review observations")."""
    label = name.replace("_", " ")
    if model is not None:
        with contextlib.suppress(FieldDoesNotExist):
            # Reverse relations have no verbose name: keep the field's own name for them.
            label = str(getattr(model._meta.get_field(name), "verbose_name", label))
    return label[:1].upper() + label[1:]


def value_text(value) -> str:
    """A stored value for people: numbers with separators and their own decimals."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, int | float) or to_decimal(value) is not None:
        return format_plain(value)
    return str(value)


def verb_text(verb: str) -> str:
    if "." in verb:
        return VERB_WORDS.get(verb.rsplit(".", 1)[1], verb.replace(".", " "))
    return verb


def actor_name(event) -> str:
    return event.actor.name if event.actor_id and event.actor else "The system"


def plain_line(event, models: dict[str, type]) -> AuditLine:
    model = models.get(event.target_type)
    kind = str(model._meta.verbose_name) if model is not None else event.target_type
    verb = verb_text(event.verb)
    if " " in verb:  # "set target", "edited the minutes of": the verb names its object
        sentence = format_html("{} {} <em>{}</em>", actor_name(event), verb, event.target_repr)
    else:
        sentence = format_html(
            "{} {} the {} <em>{}</em>", actor_name(event), verb, kind, event.target_repr
        )
    changes = []
    for name, change in (event.changes or {}).items():
        old, new = (
            (change.get("from"), change.get("to")) if isinstance(change, dict) else (None, change)
        )
        changes.append(
            Change(field_label(model, name), value_text(old), value_text(new), old is not None)
        )
    return AuditLine(event=event, sentence=sentence, changes=changes)


def audit_lines(events) -> list[AuditLine]:
    events = list(events)
    written: dict[int, AuditLine] = {}
    for condition in conditions():
        if condition.audit_text:
            written.update(import_string(condition.audit_text)(events))
    models = _models_by_name()
    return [written.get(e.pk) or plain_line(e, models) for e in events]
