"""Helpers every communication service uses: checks with clear messages, and muting."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction

from collective.core.errors import ApplicationError
from collective.core.models import Initiative, Membership, Partner

MAX_TITLE = 300
MAX_TEXT = 20_000

_state = {"muted": False}


@contextmanager
def muted():
    """Write without telling anyone (the demo loader): no email, no webhook request is sent."""
    previous, _state["muted"] = _state["muted"], True
    try:
        yield
    finally:
        _state["muted"] = previous


def is_muted() -> bool:
    return _state["muted"]


def on_commit(fn) -> None:
    if not is_muted():
        transaction.on_commit(fn)


def actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def clean_text(value, field: str, *, required: bool = False, limit: int = MAX_TEXT, label=None):
    text = (value or "").strip()
    name = label or field.replace("_", " ")
    if required and not text:
        raise ApplicationError(f"The {name} is required.", errors={field: [f"Write the {name}."]})
    if len(text) > limit:
        raise ApplicationError(
            f"The {name} is too long ({len(text):,} characters; at most {limit:,}).",
            errors={field: [f"At most {limit:,} characters."]},
        )
    return text


def check_choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ApplicationError(
            f"'{value}' is not a valid {field.replace('_', ' ')}.",
            errors={field: [f"Choose one of: {', '.join(choices.labels)}."]},
        )
    return value


def check_same_initiative(initiative: Initiative, obj, field: str) -> None:
    if obj is None:
        return
    owner = obj if isinstance(obj, Initiative) else getattr(obj, "initiative_id", None)
    if owner is not None and owner != initiative.pk:
        raise ApplicationError(
            f"That {field.replace('_', ' ')} belongs to another initiative.",
            errors={field: ["Choose one of this initiative."]},
        )


def check_member(initiative: Initiative, user, field: str) -> Membership | None:
    if user is None:
        return None
    membership = Membership.objects.filter(initiative=initiative, user=user).first()
    if membership is None:
        raise ApplicationError(
            f"{user} is not a member of this initiative.",
            errors={field: ["Choose a member of this initiative."]},
        )
    return membership


def check_partner(initiative: Initiative, partner: Partner | None, field: str) -> None:
    if partner is not None and partner.initiative_id != initiative.pk:
        raise ApplicationError(
            "That partner belongs to another initiative.",
            errors={field: ["Choose a partner of this initiative."]},
        )


def membership_of(initiative: Initiative, user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(initiative=initiative, user=user).first()


def link_activity(obj, activity) -> None:
    """Point an ActivityLink row at any activity object (the app may be absent)."""
    from django.contrib.contenttypes.models import ContentType

    if activity is None:
        obj.activity_type, obj.activity_id, obj.activity_title = None, "", ""
        return
    obj.activity_type = ContentType.objects.get_for_model(activity)
    obj.activity_id = str(activity.pk)
    obj.activity_title = str(activity)[:300]
