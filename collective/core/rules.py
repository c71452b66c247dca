"""Authorization rules of the core: predicates on the user's role in the object's initiative.

Every other app builds its rules from the predicates here, so there is one notion of
"member", "backbone" and "own partner" across the platform.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules

from .choices import ROLE_RANK, Role, Visibility
from .models import Initiative, Membership


def initiative_of(obj) -> Initiative | None:
    if obj is None:
        return None
    if isinstance(obj, Initiative):
        return obj
    return getattr(obj, "initiative", None)


def membership_for(user, initiative: Initiative | None) -> Membership | None:
    """The user's membership in the initiative, cached on the user object for the request."""
    if initiative is None or not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_membership_cache", {})
    if initiative.pk not in cache:
        cache[initiative.pk] = (
            Membership.objects.select_related("partner")
            .filter(initiative_id=initiative.pk, user_id=user.pk)
            .first()
        )
    return cache[initiative.pk]


def forget_memberships(user) -> None:
    user.__dict__.pop("_membership_cache", None)


def role_at_least(role: str):
    minimum = ROLE_RANK[role]

    @rules.predicate(name=f"role_at_least_{role}")
    def predicate(user, obj) -> bool:
        membership = membership_for(user, initiative_of(obj))
        return membership is not None and ROLE_RANK[membership.role] >= minimum

    return predicate


is_member = role_at_least(Role.VIEWER)
is_contributor = role_at_least(Role.CONTRIBUTOR)
is_partner_lead = role_at_least(Role.PARTNER_LEAD)
is_backbone = role_at_least(Role.BACKBONE)


@rules.predicate
def is_public(user, obj) -> bool:
    initiative = initiative_of(obj)
    return initiative is not None and initiative.visibility == Visibility.PUBLIC


@rules.predicate
def is_listed(user, obj) -> bool:
    """Signed-in people may see that a 'members' initiative exists (name and purpose only)."""
    initiative = initiative_of(obj)
    return (
        initiative is not None
        and getattr(user, "is_authenticated", False)
        and initiative.visibility in (Visibility.MEMBERS, Visibility.PUBLIC)
    )


def partner_of(obj):
    """The partner an object belongs to: the object itself, or its `partner` attribute."""
    from .models import Partner

    if isinstance(obj, Partner):
        return obj
    return getattr(obj, "partner", None)


def is_partner_path(path) -> bool:
    """Whether `path` is a partner's materialised path ("/3/8/12/"): never empty, never "/".

    The database refuses any other value (`partner_path_shape`); checking here as well means a
    partner object that was never saved through the services cannot widen anyone's scope."""
    return (
        isinstance(path, str)
        and len(path) > 1
        and path.startswith("/")
        and path.endswith("/")
        and "//" not in path
    )


@dataclass(frozen=True)
class PartnerScope:
    """The partners a person may act for: every partner, one partner's subtree, or none.

    "Every partner" is an explicit flag, never an empty path prefix (an empty prefix matches
    every path, so a partner saved without its path once let its members act for everyone)."""

    every_partner: bool = False
    path: str | None = None  # the subtree's root, e.g. "/3/8/"; None when no partner

    def covers(self, partner_path: str) -> bool:
        if self.every_partner:
            return True
        return (
            is_partner_path(self.path)
            and is_partner_path(partner_path)
            and partner_path.startswith(self.path)
        )


EVERY_PARTNER = PartnerScope(every_partner=True)
NO_PARTNER = PartnerScope()


def subtree_of(partner) -> PartnerScope:
    """The scope of one partner and its descendants (no partner, or no valid path: none)."""
    if partner is None or not is_partner_path(partner.path):
        return NO_PARTNER
    return PartnerScope(path=partner.path)


def in_partner_scope(user, obj) -> bool:
    """True when the object's partner is the user's partner or one of its descendants."""
    membership = membership_for(user, initiative_of(obj))
    partner = partner_of(obj)
    if membership is None or membership.partner_id is None or partner is None:
        return False
    return subtree_of(membership.partner).covers(partner.path)


@rules.predicate
def is_own_partner_contributor(user, obj) -> bool:
    return is_contributor(user, obj) and in_partner_scope(user, obj)


@rules.predicate
def is_own_partner_lead(user, obj) -> bool:
    return is_partner_lead(user, obj) and in_partner_scope(user, obj)


can_view = is_member | is_public

rules.add_perm("core.view_initiative", is_member)
rules.add_perm("core.read_public", can_view)
rules.add_perm("core.see_listing", is_member | is_listed)
rules.add_perm("core.change_initiative", is_backbone)
rules.add_perm("core.manage_members", is_backbone)
rules.add_perm("core.view_members", is_member)
rules.add_perm("core.view_audit", is_backbone)
rules.add_perm("core.add_partner", is_backbone)
rules.add_perm("core.change_partner", is_backbone | is_own_partner_lead)
rules.add_perm("core.delete_partner", is_backbone)
