"""Helpers every service module of activities shares: checks that raise ApplicationError."""

from __future__ import annotations

from collective.core.errors import FORBIDDEN, ApplicationError
from collective.core.models import Initiative, Partner
from collective.core.rules import is_backbone, membership_for

MAX_TITLE = 200
MAX_TEXT = 10_000


def check_choice(value, choices, field: str) -> None:
    if value not in choices.values:
        raise ApplicationError(
            f"'{value}' is not a valid {field.replace('_', ' ')}.",
            errors={field: [f"Choose one of: {', '.join(choices.values)}."]},
        )


def check_text(value: str, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    label = field.replace("_", " ")
    if required and not value:
        raise ApplicationError(
            f"The {label} is required.", errors={field: ["This field is required."]}
        )
    if len(value) > limit:
        raise ApplicationError(
            f"The {label} is too long ({len(value):,} characters; at most {limit:,}).",
            errors={field: [f"At most {limit:,} characters."]},
        )
    return value


def check_partner(initiative: Initiative, partner: Partner | None, field: str) -> None:
    if partner is None:
        raise ApplicationError("Choose a partner.", errors={field: ["Choose a partner."]})
    if partner.initiative_id != initiative.pk:
        raise ApplicationError(
            "That partner belongs to another initiative.",
            errors={field: ["Choose a partner of this initiative."]},
        )


def acts_for(actor, partner: Partner) -> bool:
    """The backbone acts for every partner; anyone else for their partner and those below it."""
    if actor is None:
        return True  # the demo loader and tasks act as the system
    initiative = partner.initiative
    if is_backbone(actor, initiative):
        return True
    membership = membership_for(actor, initiative)
    return bool(
        membership and membership.partner_id and partner.path.startswith(membership.partner.path)
    )


def require_acts_for(actor, partner: Partner, doing: str, field: str = "partner") -> None:
    if not acts_for(actor, partner):
        raise ApplicationError(
            f"You can only {doing} for your own partner.",
            errors={field: [f"You do not act for {partner.name}."]},
            code=FORBIDDEN,
        )


def check_rating(value, field: str, *, required: bool = False) -> int | None:
    """A rating on the 1–4 scale (the PARTNER tool's and the strengths' scale)."""
    if value in (None, ""):
        if required:
            raise ApplicationError(
                f"The {field.replace('_', ' ')} rating is required.",
                errors={field: ["Give a rating from 1 to 4."]},
            )
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or str(number) != str(value).strip() or not 1 <= number <= 4:
        raise ApplicationError(
            f"Ratings are from 1 to 4; '{value}' is not one.",
            errors={field: ["Give a rating from 1 (not at all) to 4 (a great deal)."]},
        )
    return number
