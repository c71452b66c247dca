"""Core pages: forms keep input and show errors, htmx partials, privacy, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.core import services
from collective.core.choices import Role, Visibility
from collective.core.models import AuditEvent, Initiative, Membership, Partner

pytestmark = pytest.mark.django_db


def test_create_initiative_page_makes_creator_backbone(client_as, world):
    client = client_as("viewer")
    response = client.post(
        reverse("core:initiative-create"),
        {"name": "Better Hand-offs", "visibility": "private", "stage": "early"},
    )
    initiative = Initiative.objects.get(slug="better-hand-offs")
    assert response.status_code == 302 and response["Location"] == initiative.get_absolute_url()
    assert (
        Membership.objects.get(initiative=initiative, user=world.users["viewer"]).role == "backbone"
    )


def test_invalid_form_keeps_input_and_shows_errors_next_to_fields(client_as, world):
    client = client_as("backbone")
    response = client.post(
        reverse("core:partner-create", kwargs={"slug": "acme"}),
        {"name": "Operations", "kind": "team", "description": "kept text"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Already used in this initiative." in html
    assert "kept text" in html
    assert Partner.objects.filter(initiative=world.initiative).count() == 3


def test_private_initiative_is_404_for_non_members_and_login_for_anonymous(client, world):
    url = reverse("core:initiative-overview", kwargs={"slug": "acme"})
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # An unknown slug redirects the same way: the redirect reveals nothing.
    unknown = client.get(reverse("core:initiative-overview", kwargs={"slug": "nope"}))
    assert unknown.status_code == 302
    client.force_login(world.users["outsider"])
    response = client.get(url)
    assert response.status_code == 404
    assert b"Acme" not in response.content


def test_public_initiative_overview_is_readable_anonymously(client, world):
    services.initiative_update(
        actor=world.users["backbone"], initiative=world.initiative, visibility=Visibility.PUBLIC
    )
    response = client.get(reverse("core:initiative-overview", kwargs={"slug": "acme"}))
    assert response.status_code == 200
    assert b"This initiative is public" in response.content
    # Members-only pages still need membership.
    assert client.get(reverse("core:partner-list", kwargs={"slug": "acme"})).status_code == 302


def test_listed_initiative_is_403_not_404_for_signed_in_non_members(client, world):
    services.initiative_update(
        actor=world.users["backbone"], initiative=world.initiative, visibility=Visibility.MEMBERS
    )
    client.force_login(world.users["outsider"])
    response = client.get(reverse("core:partner-list", kwargs={"slug": "acme"}))
    assert response.status_code == 403
    assert b"ask the initiative" in response.content


def test_member_list_htmx_returns_only_the_table(client_as, world):
    client = client_as("backbone")
    url = reverse("core:member-list", kwargs={"slug": "acme"})
    full = client.get(url)
    assert b"<html" in full.content and b"Pending invitations" in full.content
    partial = client.get(url, {"q": "ld"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert b"Ld" in partial.content and b"Vw" not in partial.content


def test_member_list_query_count_does_not_grow_with_members(
    client_as, world, django_assert_max_num_queries
):
    from tests.factories import UserFactory, add_member

    client = client_as("backbone")
    url = reverse("core:member-list", kwargs={"slug": "acme"})
    for _ in range(30):
        add_member(world.initiative, UserFactory(), role=Role.CONTRIBUTOR, partner=world.partner)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


def test_removing_the_last_backbone_shows_a_message(client_as, world):
    client = client_as("backbone")
    membership = Membership.objects.get(initiative=world.initiative, user=world.users["backbone"])
    response = client.post(
        reverse("core:member-remove", kwargs={"slug": "acme", "pk": membership.pk}), follow=True
    )
    assert b"last backbone member cannot be removed" in response.content
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_lead_edits_own_partner_but_cannot_move_it(client_as, world):
    client = client_as("lead")
    url = reverse("core:partner-edit", kwargs={"slug": "acme", "uid": world.partner.uid})
    response = client.post(
        url,
        {
            "name": "Operations",
            "kind": "department",
            "parent": world.other_partner.pk,
            "strengths": "Runs the playbook",
        },
    )
    assert response.status_code == 302
    world.partner.refresh_from_db()
    assert world.partner.strengths == "Runs the playbook"
    assert world.partner.parent is None


def test_audit_log_filters_by_person_and_kind(client_as, world):
    client = client_as("backbone")
    url = reverse("core:audit-log", kwargs={"slug": "acme"})
    response = client.get(url, {"kind": "partner"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Ops Team North" in html and "<html" not in html
    assert (
        AuditEvent.objects.filter(initiative=world.initiative, target_type="partner").count() == 3
    )
    response = client.get(url, {"actor": str(world.users["lead"].pk)})
    assert "Nothing recorded for this filter" in response.content.decode()


def test_invitation_page_for_used_link_says_so(client, world):
    _, token = services.invitation_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        email="n@example.org",
        role=Role.VIEWER,
    )
    url = reverse("core:invitation-accept", kwargs={"token": token})
    response = client.post(
        url,
        {"username": "nn", "password": "a-long-secret-42", "password_again": "a-long-secret-42"},
    )
    assert response.status_code == 302
    client.logout()
    again = client.get(url)
    assert again.status_code == 410 and b"already been used" in again.content


def test_signed_in_user_accepts_with_existing_account(client, world):
    _, token = services.invitation_create(
        actor=world.users["outsider"],
        initiative=world.other,
        email="vw2@example.org",
        role=Role.VIEWER,
    )
    client.force_login(world.users["viewer"])
    url = reverse("core:invitation-accept", kwargs={"token": token})
    assert b"Accept and join" in client.get(url).content
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.filter(initiative=world.other, user=world.users["viewer"]).exists()


def test_search_finds_partners_and_people(client_as, world):
    client = client_as("viewer")
    response = client.get(reverse("core:search", kwargs={"slug": "acme"}), {"q": "ops"})
    assert b"Ops Team North" in response.content


def test_password_reset_email_goes_through_the_task_queue(client, world):
    from django.core import mail

    response = client.post(reverse("password_reset"), {"email": world.users["viewer"].email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_friendly_404_page(client_as):
    client = client_as("viewer")
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and b"Page not found" in response.content


def test_partner_list_query_count_is_constant(client_as, world, django_assert_max_num_queries):
    from tests.factories import make_partner

    client = client_as("viewer")
    for n in range(25):
        make_partner(world.initiative, f"Team {n}", parent=world.partner)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("core:partner-list", kwargs={"slug": "acme"}))
    assert response.content.decode().count("Team ") >= 25


def test_invite_page_lists_bad_addresses_and_keeps_the_text(client_as, world):
    from collective.core.models import Invitation

    client = client_as("backbone")
    response = client.post(
        reverse("core:member-invite", kwargs={"slug": "acme"}),
        {"emails": "ok@example.org, broken@", "role": "viewer"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "broken@: Enter a valid email address." in html
    assert "ok@example.org, broken@" in html
    assert not Invitation.objects.exists()
    response = client.post(
        reverse("core:member-invite", kwargs={"slug": "acme"}),
        {"emails": "ok@example.org\nalso@example.org", "role": "viewer"},
        follow=True,
    )
    assert b"Invitation sent to 2 people" in response.content


def test_invite_form_can_be_prefilled_from_a_link(client_as, world):
    client = client_as("backbone")
    url = reverse("core:member-invite", kwargs={"slug": "acme"})
    html = client.get(url, {"partner": str(world.other_partner.uid), "role": "partner_lead"})
    html = html.content.decode()
    assert f'value="{world.other_partner.pk}" selected' in html
    assert 'value="partner_lead" selected' in html
    # Nonsense is ignored, never an error.
    assert client.get(url, {"partner": "not-a-uid", "role": "emperor"}).status_code == 200
