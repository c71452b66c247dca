"""Authorization rules of the common agenda (built from the core's predicates)."""

import rules

from collective.core.rules import (
    initiative_of,
    is_backbone,
    is_contributor,
    is_member,
    is_partner_lead,
    is_public,
    membership_for,
)


@rules.predicate
def leads_a_partner(user, obj) -> bool:
    """A partner lead (or a backbone member) who acts for a partner: they endorse for it."""
    membership = membership_for(user, initiative_of(obj))
    return membership is not None and membership.partner_id is not None


# Members read everything of the agenda; anyone reads the adopted agenda of a public initiative.
rules.add_perm("agenda.view", is_member)
rules.add_perm("agenda.read_public", is_member | is_public)
# Contributors take part in the consultation (comment, amend, raise a concern, support).
rules.add_perm("agenda.take_part", is_contributor)
# Partner leads endorse the adopted version for their own partner.
rules.add_perm("agenda.endorse", is_partner_lead & leads_a_partner)
# The backbone drafts, edits, opens and closes the consultation, decides and adopts.
rules.add_perm("agenda.manage", is_backbone)
