"""Granting roles safely: invitations default to Contributor, and making someone backbone asks once
(a confirmation the server asks for, so it works without JavaScript)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collective.core.choices import Role
from collective.core.models import Invitation, Membership

pytestmark = pytest.mark.django_db


def _selected_role(html: str) -> str:
    select = re.search(r'<select name="role".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\w+)" selected', select).group(1)


def test_invite_form_starts_at_contributor(client_as, world):
    html = client_as("backbone").get(reverse("core:member-invite", kwargs={"slug": "acme"}))
    assert _selected_role(html.content.decode()) == Role.CONTRIBUTOR


def test_inviting_as_backbone_asks_once_and_keeps_what_was_typed(client_as, world):
    client = client_as("backbone")
    url = reverse("core:member-invite", kwargs={"slug": "acme"})
    data = {"emails": "boss@example.org, deputy@example.org", "role": "backbone", "message": "Hi"}

    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Invitation.objects.exists()
    assert "You are about to make boss@example.org and deputy@example.org backbone" in html
    assert "they will see and manage everything in Acme Change" in html
    assert 'name="confirm_backbone"' in html
    assert "boss@example.org, deputy@example.org" in html  # the addresses are kept
    assert _selected_role(html) == Role.BACKBONE

    response = client.post(url, {**data, "confirm_backbone": "yes"}, follow=True)
    assert b"Invitation sent to 2 people" in response.content
    assert set(Invitation.objects.values_list("role", flat=True)) == {Role.BACKBONE}


def test_other_roles_are_invited_without_a_question(client_as, world):
    response = client_as("backbone").post(
        reverse("core:member-invite", kwargs={"slug": "acme"}),
        {"emails": "lead@example.org", "role": "partner_lead", "partner": world.partner.pk},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.PARTNER_LEAD


def test_making_a_member_backbone_asks_once(client_as, world):
    client = client_as("backbone")
    viewer = Membership.objects.get(initiative=world.initiative, user=world.users["viewer"])
    url = reverse("core:member-edit", kwargs={"slug": "acme", "pk": viewer.pk})

    response = client.post(url, {"role": "backbone"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"You are about to make {viewer.user.name} backbone" in html
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER

    response = client.post(url, {"role": "backbone", "confirm_backbone": "yes"})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == Role.BACKBONE


def test_a_backbone_member_keeps_the_role_without_a_question(client_as, world):
    client = client_as("backbone")
    backbone = Membership.objects.get(initiative=world.initiative, user=world.users["backbone"])
    url = reverse("core:member-edit", kwargs={"slug": "acme", "pk": backbone.pk})
    response = client.post(url, {"role": "backbone", "partner": world.partner.pk})
    assert response.status_code == 302
    backbone.refresh_from_db()
    assert backbone.partner == world.partner
