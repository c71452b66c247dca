"""The core's main pages for the accessibility and phone-width checks (see tests/pages.py)."""

from tests.pages import (
    ANONYMOUS,
    BACKBONE,
    COALITION,
    COMPANY,
    CONTRIBUTOR,
    LEAD,
    MEMBERS,
    VIEWER,
    Page,
    partner_uid,
    url,
)


def _invitation_token():
    from collective.core import services
    from collective.core.choices import Role
    from collective.core.models import Initiative, User

    _invitation, token = services.invitation_create(
        actor=User.objects.get(username="backbone"),
        initiative=Initiative.objects.get(slug=COMPANY),
        email="newcomer@example.org",
        role=Role.VIEWER,
    )
    return token


def _viewer_membership():
    from collective.core.models import Membership

    return Membership.objects.get(initiative__slug=COMPANY, user__username="viewer").pk


PAGES = [
    Page("sign in", url("login"), roles=(ANONYMOUS,)),
    Page("forgotten password", url("password_reset"), roles=(ANONYMOUS,)),
    Page("invitation", url("core:invitation-accept", token=_invitation_token), roles=(ANONYMOUS,)),
    Page("home", url("core:home"), roles=(BACKBONE, VIEWER)),
    Page("public home", url("core:home"), roles=(ANONYMOUS,)),
    Page("new initiative", url("core:initiative-create"), roles=(VIEWER,)),
    Page("profile", url("core:profile"), roles=(CONTRIBUTOR,)),
    Page("password change", url("password_change"), roles=(CONTRIBUTOR,)),
    Page("overview", url("core:initiative-overview", slug=COMPANY), roles=MEMBERS),
    Page("public overview", url("core:initiative-overview", slug=COALITION), roles=(ANONYMOUS,)),
    Page("search", lambda: url("core:search", slug=COMPANY)() + "?q=onboarding", roles=(VIEWER,)),
    Page("partners", url("core:partner-list", slug=COMPANY), roles=(BACKBONE, CONTRIBUTOR)),
    Page(
        "partner",
        url(
            "core:partner-detail",
            slug=COMPANY,
            uid=partner_uid(COMPANY, "Onboarding Operations"),
        ),
        roles=MEMBERS,
    ),
    Page("new partner", url("core:partner-create", slug=COMPANY)),
    Page(
        "delete partner",
        url("core:partner-delete", slug=COMPANY, uid=partner_uid(COMPANY, "Legal")),
    ),
    Page(
        "edit partner",
        url("core:partner-edit", slug=COMPANY, uid=partner_uid(COMPANY, "Onboarding Operations")),
        roles=(BACKBONE, LEAD),
    ),
    Page("members", url("core:member-list", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("invite", url("core:member-invite", slug=COMPANY)),
    Page("member role", url("core:member-edit", slug=COMPANY, pk=_viewer_membership)),
    Page("remove member", url("core:member-remove", slug=COMPANY, pk=_viewer_membership)),
    Page("audit log", url("core:audit-log", slug=COMPANY)),
    Page("settings", url("core:initiative-settings", slug=COMPANY)),
    Page("not allowed", url("core:audit-log", slug=COMPANY), roles=(VIEWER,), status=403),
    Page("not found", lambda: "/i/faster-onboarding/no-such-page/", roles=(VIEWER,), status=404),
]
