"""The partner filter, one meaning everywhere: a partner and every partner below it.

A partner's figures are those of its subtree (its roll-ups add up its sub-partners' values), so
every list filtered "by partner" — indicators, values, the export, completeness — keeps what
concerns the partner or any partner below it in the tree. A partner is named by its uid, or by
its name or short name (any case), as imports and the API name it.
"""

from __future__ import annotations

import uuid
from contextlib import suppress

from django.db.models import Q

from collective.core.models import Initiative, Partner


def partner_find(initiative: Initiative, ref) -> Partner | None:
    """The initiative's partner named by `ref` (a Partner, a uid, a name or a short name)."""
    if isinstance(ref, Partner):
        return ref if ref.initiative_id == initiative.pk else None
    text = str(ref or "").strip()
    if not text:
        return None
    partners = Partner.objects.filter(initiative=initiative)
    with suppress(ValueError):
        return partners.filter(uid=uuid.UUID(text)).first()
    return (
        partners.filter(name__iexact=text).first()
        or partners.filter(short_name__iexact=text).first()
    )


def in_subtree(partner: Partner, field: str = "partner") -> Q:
    """Rows whose `field` (a partner) is `partner` or below it."""
    return Q(**{f"{field}__path__startswith": partner.path})
