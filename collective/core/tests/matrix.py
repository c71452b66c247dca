"""Authorization cases of the core's URLs (see tests/matrix.py)."""

from tests.matrix import (
    BACKBONE_ONLY,
    EVERYONE,
    LEADS,
    MEMBERS,
    SIGNED_IN,
    Case,
)


def _slug(w):
    return {"slug": w.initiative.slug}


def _partner(w):
    return {"slug": w.initiative.slug, "uid": w.partner.uid}


def _other_partner(w):
    return {"slug": w.initiative.slug, "uid": w.other_partner.uid}


def _viewer_membership(w):
    from collective.core.models import Membership

    m = Membership.objects.get(initiative=w.initiative, user=w.users["viewer"])
    return {"slug": w.initiative.slug, "pk": m.pk}


def _pending_invitation(w):
    from collective.core import services
    from collective.core.choices import Role

    invitation, token = services.invitation_create(
        actor=w.users["backbone"],
        initiative=w.initiative,
        email="new@example.org",
        role=Role.VIEWER,
    )
    w.extra["token"] = token
    return {"slug": w.initiative.slug, "pk": invitation.pk}


def _token(w):
    _pending_invitation(w)
    return {"token": w.extra["token"]}


def _backbone_token(w):
    from collective.core import services

    token, _secret = services.api_token_create(actor=w.users["backbone"], name="Backbone's")
    return {"uid": token.uid}


CASES = [
    Case("core:home", EVERYONE, kwargs=lambda w: {}),
    Case("core:initiative-create", SIGNED_IN, kwargs=lambda w: {}, outsider_status=200),
    Case(
        "core:initiative-create",
        SIGNED_IN,
        kwargs=lambda w: {},
        method="post",
        data=lambda w: {"name": "New One", "visibility": "private", "stage": "early"},
    ),
    Case("core:profile", SIGNED_IN, kwargs=lambda w: {}),
    Case(
        "core:token-create",
        SIGNED_IN,
        kwargs=lambda w: {},
        method="post",
        data=lambda w: {"name": "Matrix", "days": "30"},
    ),
    Case(
        "core:token-revoke",
        BACKBONE_ONLY,
        kwargs=_backbone_token,
        method="post",
        member_status=404,
        note="own-token",
    ),
    Case("core:invitation-accept", EVERYONE, kwargs=_token),
    Case("core:initiative-overview", MEMBERS),
    Case("core:initiative-settings", BACKBONE_ONLY),
    Case(
        "core:initiative-settings",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Renamed", "visibility": "private", "stage": "middle"},
    ),
    Case("core:search", MEMBERS),
    Case("core:partner-list", MEMBERS),
    Case("core:partner-create", BACKBONE_ONLY),
    Case(
        "core:partner-create",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Finance", "kind": "team"},
    ),
    Case("core:partner-detail", MEMBERS, kwargs=_partner),
    Case("core:partner-edit", LEADS, kwargs=_partner, note="own-partner"),
    Case("core:partner-edit", BACKBONE_ONLY, kwargs=_other_partner, note="other-partner"),
    Case(
        "core:partner-edit",
        LEADS,
        kwargs=_partner,
        method="post",
        data=lambda w: {"name": "Operations", "kind": "department", "description": "x"},
    ),
    Case("core:partner-delete", BACKBONE_ONLY, kwargs=_other_partner),
    Case("core:partner-delete", BACKBONE_ONLY, kwargs=_other_partner, method="post"),
    Case("core:member-list", MEMBERS),
    Case("core:member-invite", BACKBONE_ONLY),
    Case(
        "core:member-invite",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"emails": "someone@example.org", "role": "viewer"},
    ),
    Case("core:member-edit", BACKBONE_ONLY, kwargs=_viewer_membership),
    Case(
        "core:member-edit",
        BACKBONE_ONLY,
        kwargs=_viewer_membership,
        method="post",
        data=lambda w: {"role": "viewer"},
    ),
    Case("core:member-remove", BACKBONE_ONLY, kwargs=_viewer_membership),
    Case("core:member-remove", BACKBONE_ONLY, kwargs=_viewer_membership, method="post"),
    Case("core:invitation-revoke", BACKBONE_ONLY, kwargs=_pending_invitation, method="post"),
    Case("core:audit-log", BACKBONE_ONLY),
    # Accounts (Django's views): open to everyone or to signed-in people.
    Case("login", EVERYONE, kwargs=lambda w: {}),
    Case("logout", EVERYONE, kwargs=lambda w: {}, method="post"),
    Case("password_change", SIGNED_IN, kwargs=lambda w: {}),
    Case("password_change_done", SIGNED_IN, kwargs=lambda w: {}),
    Case("password_reset", EVERYONE, kwargs=lambda w: {}),
    Case("password_reset_done", EVERYONE, kwargs=lambda w: {}),
    Case(
        "password_reset_confirm",
        EVERYONE,
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"},
    ),
    Case("password_reset_complete", EVERYONE, kwargs=lambda w: {}),
    # API
    Case("api:root", EVERYONE, kwargs=lambda w: {}, api=True),
    Case(
        "api:auth-token",
        EVERYONE,
        kwargs=lambda w: {},
        api=True,
        method="post",
        data=lambda w: {"username": "nobody", "password": "wrong"},
    ),
    Case("api:schema", EVERYONE, kwargs=lambda w: {}, api=True),
    Case("api:docs", EVERYONE, kwargs=lambda w: {}, api=True),
    Case("api:initiative-list", EVERYONE, kwargs=lambda w: {}, api=True),
    Case(
        "api:initiative-list",
        SIGNED_IN,
        kwargs=lambda w: {},
        api=True,
        method="post",
        data=lambda w: {"name": "Via API"},
        outsider_status=201,
    ),
    Case("api:initiative-detail", MEMBERS, api=True),
    Case(
        "api:initiative-detail",
        BACKBONE_ONLY,
        api=True,
        method="patch",
        data=lambda w: {"stage": "late"},
    ),
    Case("api:partner-list", MEMBERS, api=True),
    Case(
        "api:partner-list",
        BACKBONE_ONLY,
        api=True,
        method="post",
        data=lambda w: {"name": "API Partner", "kind": "team"},
    ),
    Case("api:partner-detail", MEMBERS, kwargs=_partner, api=True),
    Case(
        "api:partner-detail",
        LEADS,
        kwargs=_partner,
        api=True,
        method="patch",
        data=lambda w: {"description": "Changed"},
    ),
    Case("api:partner-detail", BACKBONE_ONLY, kwargs=_other_partner, api=True, method="delete"),
    Case("api:member-list", MEMBERS, api=True),
    Case("api:member-detail", MEMBERS, kwargs=_viewer_membership, api=True),
    Case(
        "api:member-detail",
        BACKBONE_ONLY,
        kwargs=_viewer_membership,
        api=True,
        method="patch",
        data=lambda w: {"role": "viewer"},
    ),
    Case("api:member-detail", BACKBONE_ONLY, kwargs=_viewer_membership, api=True, method="delete"),
    Case("api:invitation-list", BACKBONE_ONLY, api=True),
    Case(
        "api:invitation-list",
        BACKBONE_ONLY,
        api=True,
        method="post",
        data=lambda w: {"email": "api@example.org", "role": "viewer"},
    ),
]
