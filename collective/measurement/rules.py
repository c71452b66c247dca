"""Who may do what in shared measurement.

Members read everything (data is visible to every member). Contributors and partner leads enter
data for their own partner and its sub-partners; the backbone manages indicators, targets and
reporting duties, enters data for anyone and reviews submitted values. Public indicators of a
public initiative are readable by anyone.
"""

from __future__ import annotations

import rules

from collective.core.rules import (
    EVERY_PARTNER,
    NO_PARTNER,
    PartnerScope,
    in_partner_scope,
    initiative_of,
    is_backbone,
    is_contributor,
    is_member,
    is_partner_lead,
    is_public,
    membership_for,
    subtree_of,
)


@rules.predicate
def is_public_indicator(user, obj) -> bool:
    """A public indicator (or its series) of a public initiative."""
    indicator = getattr(obj, "indicator", obj)
    return bool(getattr(indicator, "is_public", False)) and is_public(user, indicator)


@rules.predicate
def enters_for_partner(user, obj) -> bool:
    """The object's partner (an Observation, Partner or assignment) is in the user's branch."""
    return is_contributor(user, obj) and in_partner_scope(user, obj)


@rules.predicate
def has_own_partner(user, obj) -> bool:
    membership = membership_for(user, initiative_of(obj))
    return membership is not None and membership.partner_id is not None


# Initiative-level permissions (obj = Initiative).
rules.add_perm("measurement.view_measures", is_member)
rules.add_perm("measurement.view_public_measures", is_member | is_public)
rules.add_perm("measurement.manage_indicators", is_backbone)
rules.add_perm("measurement.enter_data", is_backbone | (is_contributor & has_own_partner))
rules.add_perm("measurement.import_data", is_backbone | (is_contributor & has_own_partner))
rules.add_perm("measurement.review_data", is_backbone)
rules.add_perm("measurement.write_narrative", is_partner_lead)
rules.add_perm("measurement.view_completeness", is_member)

# Object-level permissions.
rules.add_perm("measurement.view_indicator", is_member | is_public_indicator)
rules.add_perm("measurement.change_indicator", is_backbone)
rules.add_perm("measurement.enter_observation", is_backbone | enters_for_partner)
rules.add_perm("measurement.review_observation", is_backbone)
rules.add_perm("measurement.delete_observation", is_backbone | enters_for_partner)


def entry_scope(user, initiative) -> PartnerScope:
    """The partners the user may enter data for (every partner, a subtree, or none).

    Used by the bulk services to check every row cheaply (`scope.covers(partner.path)`).
    """
    if user is None:
        return EVERY_PARTNER  # system writes (demo loader, benchmark, tasks for a stored actor)
    if is_backbone(user, initiative):
        return EVERY_PARTNER
    membership = membership_for(user, initiative)
    if membership is None or not is_contributor(user, initiative):
        return NO_PARTNER
    return subtree_of(membership.partner)
