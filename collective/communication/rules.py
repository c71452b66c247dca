"""Authorization rules of continuous communication (built from the core's predicates)."""

import rules

from collective.core.rules import (
    in_partner_scope,
    initiative_of,
    is_backbone,
    is_contributor,
    is_member,
    is_partner_lead,
    membership_for,
)


def _user_id(user):
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


@rules.predicate
def is_facilitator(user, obj) -> bool:
    """The facilitator of the series the object (series, meeting, agenda item) belongs to."""
    series = getattr(obj, "series", None) or getattr(
        getattr(obj, "occurrence", None), "series", None
    )
    if series is None and obj.__class__.__name__ == "TouchpointSeries":
        series = obj
    return (
        series is not None
        and series.facilitator_id is not None
        and (series.facilitator_id == _user_id(user))
    )


@rules.predicate
def owns_action(user, obj) -> bool:
    owner_id = getattr(obj, "owner_id", None)
    if owner_id is not None and owner_id == _user_id(user):
        return True
    partner = getattr(obj, "owner_partner", None)
    if partner is None:
        return False
    membership = membership_for(user, initiative_of(obj))
    return (
        membership is not None
        and membership.partner_id is not None
        and membership.role in ("partner_lead", "backbone")
        and partner.path.startswith(membership.partner.path)
    )


@rules.predicate
def is_author(user, obj) -> bool:
    author_id = getattr(obj, "author_id", None)
    return author_id is not None and author_id == _user_id(user)


@rules.predicate
def own_partner_update(user, obj) -> bool:
    return getattr(obj, "partner", None) is not None and in_partner_scope(user, obj)


@rules.predicate
def was_asked(user, obj) -> bool:
    uid = _user_id(user)
    return uid is not None and hasattr(obj, "asked") and obj.asked.filter(pk=uid).exists()


@rules.predicate
def attended(user, obj) -> bool:
    uid = _user_id(user)
    return (
        uid is not None
        and hasattr(obj, "attendance")
        and obj.attendance.filter(user_id=uid).exists()
    )


# Members read everything of continuous communication and give feedback.
rules.add_perm("communication.view", is_member)
rules.add_perm("communication.give_feedback", is_member)
# Contributors post updates, reply, discuss, offer help and take actions.
rules.add_perm("communication.take_part", is_contributor)
# The backbone runs touchpoints, the decision register, feedback, surveys and webhooks.
rules.add_perm("communication.manage", is_backbone)
# A meeting is run by the backbone or by its series' facilitator.
rules.add_perm("communication.run_meeting", is_backbone | (is_contributor & is_facilitator))
rules.add_perm("communication.correct_minutes", is_backbone | is_facilitator | attended)
rules.add_perm("communication.change_action", is_backbone | (is_contributor & owns_action))
rules.add_perm("communication.create_action", is_contributor)
rules.add_perm(
    "communication.change_update", is_backbone | is_author | (is_partner_lead & own_partner_update)
)
rules.add_perm("communication.vote", is_member & was_asked)
