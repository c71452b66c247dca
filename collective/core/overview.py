"""The initiative overview: who takes part, and where each of the five conditions stands."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from .conditions import public_links, summaries
from .models import Initiative, Membership, Partner
from .rules import membership_for


@dataclass
class Overview:
    initiative: Initiative
    membership: Membership | None
    partner_count: int
    member_count: int
    role_counts: dict[str, int]
    conditions: list
    is_member: bool
    can_manage: bool
    public: list


def initiative_overview(initiative: Initiative, user) -> Overview:
    membership = membership_for(user, initiative)
    role_counts = dict(
        Membership.objects.filter(initiative=initiative)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return Overview(
        initiative=initiative,
        membership=membership,
        partner_count=Partner.objects.filter(initiative=initiative).count(),
        member_count=sum(role_counts.values()),
        role_counts=role_counts,
        conditions=summaries(initiative, user) if membership else [],
        is_member=membership is not None,
        can_manage=user.has_perm("core.manage_members", initiative),
        public=public_links(initiative),
    )
