"""Reads of the core: every queryset a user sees is scoped here."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from .choices import ROLE_RANK, Visibility
from .models import AuditEvent, Initiative, Invitation, Membership, Partner


def initiative_list_for(user) -> QuerySet[Initiative]:
    """Initiatives the user is a member of (for the switcher and the home page)."""
    if not user.is_authenticated:
        return Initiative.objects.none()
    return Initiative.objects.filter(memberships__user=user).order_by("name")


def initiative_discoverable_for(user) -> QuerySet[Initiative]:
    """Initiatives the user may see listed but is not a member of."""
    qs = Initiative.objects.filter(visibility=Visibility.PUBLIC)
    if user.is_authenticated:
        qs = Initiative.objects.filter(
            visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS]
        ).exclude(memberships__user=user)
    return qs.order_by("name")


def initiative_get_for(user, slug: str, perm: str = "core.view_initiative") -> Initiative:
    """The initiative if the user holds `perm` on it; 404 when it must stay unknown to them.

    Raises PermissionDenied (403) when the user may know it exists but lacks the permission.
    """
    from django.core.exceptions import PermissionDenied

    initiative = get_object_or_404(Initiative, slug=slug)
    if user.has_perm(perm, initiative):
        return initiative
    if user.has_perm("core.see_listing", initiative) or initiative.is_public:
        raise PermissionDenied
    raise Http404("No such initiative.")


def partner_list(initiative: Initiative) -> QuerySet[Partner]:
    return (
        Partner.objects.filter(initiative=initiative)
        .select_related("parent", "initiative")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("path")
    )


def partner_tree(initiative: Initiative) -> list[Partner]:
    """Partners in depth-first order (path order sorts by id, so sort by names along the path)."""
    partners = list(partner_list(initiative))
    by_id = {p.pk: p for p in partners}

    def key(p: Partner):
        ids = [int(x) for x in p.path.strip("/").split("/") if x]
        return [by_id[i].name.lower() if i in by_id else "" for i in ids]

    return sorted(partners, key=key)


def partner_get(initiative: Initiative, uid) -> Partner:
    return get_object_or_404(
        Partner.objects.select_related("parent", "initiative"), initiative=initiative, uid=uid
    )


def membership_list(
    initiative: Initiative, *, search: str | None = None, role: str | None = None
) -> QuerySet:
    """The initiative's members, backbone first; `search` and `role` None filter nothing."""
    qs = Membership.objects.filter(initiative=initiative).select_related(
        "user", "partner__initiative"
    )
    if search:  # (a blank search box is no search)
        qs = qs.filter(
            Q(user__username__icontains=search)
            | Q(user__display_name__icontains=search)
            | Q(user__email__icontains=search)
        )
    if role is not None:
        qs = qs.filter(role=role)
    rank = Case(
        *[When(role=role, then=Value(-r)) for role, r in ROLE_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.annotate(role_rank=rank).order_by("role_rank", "user__display_name", "user__username")


def membership_get(initiative: Initiative, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "partner", "initiative"),
        initiative=initiative,
        pk=pk,
    )


def invitation_list_pending(initiative: Initiative) -> list[Invitation]:
    qs = Invitation.objects.filter(
        initiative=initiative, accepted_at=None, revoked_at=None
    ).select_related("partner", "invited_by")
    return list(qs)


def invitation_get(initiative: Initiative, pk: int) -> Invitation:
    return get_object_or_404(Invitation, initiative=initiative, pk=pk)


def audit_list(
    initiative: Initiative,
    *,
    actor_id: int | None = None,
    kind: str | None = None,
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    """The initiative's audit entries, newest first; a filter left as None does not filter."""
    qs = AuditEvent.objects.filter(initiative=initiative).select_related("actor")
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if kind is not None:
        qs = qs.filter(target_type=kind)
    if date_from is not None:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs
