"""Authorization rules of mutually reinforcing activities (built from the core's predicates).

- members read everything (activities, claims, matrix, gaps, overlaps, network, map);
- partner leads add and manage their own partner's activities and claims, rate their partner's
  strengths and answer the relationship survey for it; the backbone does all of that for any
  partner;
- contributors update progress and milestones of their own partner's activities;
- a partner lead of *another* partner, or the backbone, reviews a claim (substantiated /
  contested): contribution, not attribution;
- the backbone manages the capability list, overlap decisions and survey rounds.
"""

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


@rules.predicate
def acts_for_a_partner(user, obj) -> bool:
    membership = membership_for(user, initiative_of(obj))
    return membership is not None and membership.partner_id is not None


def _activity_of(obj):
    return getattr(obj, "activity", obj)


@rules.predicate
def owns_activity(user, obj) -> bool:
    """The activity (or claim / milestone) belongs to the user's partner or one below it."""
    return in_partner_scope(user, _activity_of(obj))


@rules.predicate
def reviews_from_elsewhere(user, obj) -> bool:
    """The claim's activity belongs to a partner other than the user's own."""
    return acts_for_a_partner(user, obj) and not in_partner_scope(user, _activity_of(obj))


rules.add_perm("activities.view", is_member)
rules.add_perm("activities.add_activity", is_backbone | (is_partner_lead & acts_for_a_partner))
rules.add_perm("activities.change_activity", is_backbone | (is_partner_lead & owns_activity))
rules.add_perm("activities.update_progress", is_backbone | (is_contributor & owns_activity))
rules.add_perm("activities.review_claim", is_backbone | (is_partner_lead & reviews_from_elsewhere))
rules.add_perm("activities.rate_strengths", is_backbone | (is_partner_lead & acts_for_a_partner))
rules.add_perm("activities.manage", is_backbone)
rules.add_perm("activities.answer_survey", is_backbone | (is_partner_lead & acts_for_a_partner))
