"""What every page of shared measurement shares: permission names and lookups of the request's
indicator, partner and membership."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from collective.core.models import Partner

from ..models import Indicator

# Permissions (rules in rules.py). Pages check them once, here.
P_VIEW = "measurement.view_measures"
P_PUBLIC = "measurement.view_public_measures"
P_MANAGE = "measurement.manage_indicators"
P_ENTER_ANY = "measurement.enter_data"
P_ENTER = "measurement.enter_observation"  # object: the partner or the observation
P_DELETE = "measurement.delete_observation"  # object: the observation
P_IMPORT = "measurement.import_data"
P_REVIEW = "measurement.review_data"
P_NARRATE = "measurement.write_narrative"
P_COMPLETENESS = "measurement.view_completeness"


def initiative_slug(request) -> str:
    return request.initiative.slug


def indicator_or_404(request, code: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("owner_partner", "initiative"),
        initiative=request.initiative,
        code=code,
    )


def partner_or_none(request, uid) -> Partner | None:
    """A partner of this initiative by its uid; None for an unknown or malformed uid."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        return None
    return Partner.objects.filter(initiative=request.initiative, uid=key).first()


def partner_or_404(request, uid) -> Partner:
    partner = partner_or_none(request, uid)
    if partner is None:
        raise Http404("No such partner.")
    return partner


def posted(request):
    """The POST data of a POST (even an empty one), else None: the form stays unbound."""
    return request.POST if request.method == "POST" else None


def can(request, perm: str, obj=None) -> bool:
    return request.user.has_perm(perm, obj if obj is not None else request.initiative)


def own_partner(request) -> Partner | None:
    membership = request.membership
    return membership.partner if membership is not None else None


def enterable_partners(request) -> list[Partner]:
    """Partners the user may enter data for: all for the backbone, else the own subtree."""
    partners = Partner.objects.filter(initiative=request.initiative).order_by("path")
    own = own_partner(request)
    if not can(request, P_MANAGE):
        if own is None:
            return []
        partners = partners.filter(path__startswith=own.path)
    return [p for p in partners if can(request, P_ENTER, p)]
