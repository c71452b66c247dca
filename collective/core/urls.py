"""URLs of the core."""

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/new/", views.initiative_create, name="initiative-create"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/tokens/", views.api_token_create, name="token-create"),
    path(
        "accounts/profile/tokens/<uuid:uid>/revoke/",
        views.api_token_revoke,
        name="token-revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("i/<slug:slug>/", views.initiative_overview_view, name="initiative-overview"),
    path("i/<slug:slug>/settings/", views.initiative_settings, name="initiative-settings"),
    path("i/<slug:slug>/search/", views.search, name="search"),
    path("i/<slug:slug>/partners/", views.partner_list, name="partner-list"),
    path("i/<slug:slug>/partners/new/", views.partner_create, name="partner-create"),
    path("i/<slug:slug>/partners/<uuid:uid>/", views.partner_detail, name="partner-detail"),
    path("i/<slug:slug>/partners/<uuid:uid>/edit/", views.partner_edit, name="partner-edit"),
    path("i/<slug:slug>/partners/<uuid:uid>/delete/", views.partner_delete, name="partner-delete"),
    path("i/<slug:slug>/members/", views.member_list, name="member-list"),
    path("i/<slug:slug>/members/invite/", views.member_invite, name="member-invite"),
    path("i/<slug:slug>/members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("i/<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path(
        "i/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("i/<slug:slug>/audit/", views.audit_log, name="audit-log"),
]
