"""Core services: initiatives, partners, memberships, invitations, profile, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from collective.core import services
from collective.core.choices import Role
from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent, Initiative, Invitation, Membership, Partner
from tests.factories import UserFactory, make_initiative, make_partner

pytestmark = pytest.mark.django_db


def test_creator_becomes_backbone_and_is_audited():
    user = UserFactory()
    initiative = services.initiative_create(actor=user, name="Faster Onboarding")
    assert initiative.slug == "faster-onboarding"
    membership = Membership.objects.get(initiative=initiative, user=user)
    assert membership.role == Role.BACKBONE
    event = AuditEvent.objects.get(initiative=initiative, verb="created")
    assert event.actor == user
    assert event.changes["name"] == {"from": None, "to": "Faster Onboarding"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "slug": "admin"}, "slug"),
        ({"name": "X", "visibility": "secret"}, "visibility"),
        ({"name": "X", "stage": "done"}, "stage"),
    ],
)
def test_bad_initiative_input_is_refused_per_field_and_saves_nothing(kwargs, field):
    with pytest.raises(ApplicationError) as exc:
        services.initiative_create(actor=UserFactory(), **kwargs)
    assert field in exc.value.errors
    assert not Initiative.objects.exists()
    assert not Membership.objects.exists()


def test_taken_slug_is_refused():
    make_initiative(slug="taken")
    with pytest.raises(ApplicationError, match="taken"):
        services.initiative_create(actor=UserFactory(), name="Other", slug="taken")


def test_initiative_update_records_changed_fields_only():
    user = UserFactory()
    initiative = make_initiative(user)
    services.initiative_update(
        actor=user, initiative=initiative, stage="late", name=initiative.name
    )
    event = AuditEvent.objects.filter(verb="updated").get()
    assert event.changes == {"stage": {"from": "early", "to": "late"}}


def test_partner_tree_paths_follow_moves(world):
    bb = world.users["backbone"]
    north = world.subpartner
    assert north.path.startswith(world.partner.path) and north.depth == 1
    # Move Operations under Sales: its child moves with it.
    services.partner_update(actor=bb, partner=world.partner, parent=world.other_partner)
    north.refresh_from_db()
    assert north.path.startswith(world.other_partner.path) and north.depth == 2


def test_partner_cannot_sit_under_its_own_branch(world):
    with pytest.raises(ApplicationError) as exc:
        services.partner_update(
            actor=world.users["backbone"], partner=world.partner, parent=world.subpartner
        )
    assert "parent" in exc.value.errors
    world.partner.refresh_from_db()
    assert world.partner.parent is None


def test_partner_names_are_unique_per_initiative(world):
    with pytest.raises(ApplicationError) as exc:
        make_partner(world.initiative, "operations")
    assert "name" in exc.value.errors
    make_partner(world.other, "Operations")  # another initiative may use it


def test_partner_with_members_or_children_cannot_be_deleted(world):
    bb = world.users["backbone"]
    with pytest.raises(ApplicationError, match="sub-partners"):
        services.partner_delete(actor=bb, partner=world.partner)
    Membership.objects.filter(partner=world.partner).update(partner=world.subpartner)
    with pytest.raises(ApplicationError, match="members"):
        services.partner_delete(actor=bb, partner=world.subpartner)
    services.partner_delete(actor=bb, partner=world.other_partner)
    assert not Partner.objects.filter(pk=world.other_partner.pk).exists()


def test_last_backbone_cannot_be_removed_or_demoted(world):
    bb = world.users["backbone"]
    membership = Membership.objects.get(initiative=world.initiative, user=bb)
    with pytest.raises(ApplicationError, match="last backbone"):
        services.membership_remove(actor=bb, membership=membership)
    with pytest.raises(ApplicationError):
        services.membership_update(actor=bb, membership=membership, role=Role.VIEWER, partner=None)
    membership.refresh_from_db()
    assert membership.role == Role.BACKBONE
    # With a second backbone, the first can step down.
    viewer = Membership.objects.get(initiative=world.initiative, user=world.users["viewer"])
    services.membership_update(actor=bb, membership=viewer, role=Role.BACKBONE, partner=None)
    services.membership_remove(actor=bb, membership=membership)


def test_contributors_need_a_partner_of_the_same_initiative(world):
    bb = world.users["backbone"]
    viewer = Membership.objects.get(initiative=world.initiative, user=world.users["viewer"])
    with pytest.raises(ApplicationError) as exc:
        services.membership_update(actor=bb, membership=viewer, role=Role.CONTRIBUTOR, partner=None)
    assert "partner" in exc.value.errors
    foreign = make_partner(world.other, "Foreign")
    with pytest.raises(ApplicationError):
        services.membership_update(
            actor=bb, membership=viewer, role=Role.CONTRIBUTOR, partner=foreign
        )


def test_invitation_is_emailed_through_a_task_and_accepted_once(
    world, django_capture_on_commit_callbacks
):
    bb = world.users["backbone"]
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=bb,
            initiative=world.initiative,
            email="New@Example.org",
            role=Role.CONTRIBUTOR,
            partner=world.partner,
            message="Welcome aboard",
        )
    assert invitation.email == "new@example.org"
    assert token not in invitation.token_hash  # only the hash is stored
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body and "Welcome aboard" in mail.outbox[0].body
    user = services.invitation_accept_new_user(
        token=token, username="newbie", password="a-long-secret-42", display_name="Nia"
    )
    membership = Membership.objects.get(initiative=world.initiative, user=user)
    assert (membership.role, membership.partner) == (Role.CONTRIBUTOR, world.partner)
    with pytest.raises(ApplicationError) as exc:
        services.invitation_accept(token=token, user=UserFactory())
    assert exc.value.code == "used"


def test_expired_revoked_and_unknown_invitations_say_why(world):
    bb = world.users["backbone"]
    invitation, token = services.invitation_create(
        actor=bb, initiative=world.initiative, email="late@example.org", role=Role.VIEWER
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError, match="expired") as exc:
        services.invitation_accept(token=token, user=UserFactory())
    assert exc.value.code == "expired"
    _, token2 = services.invitation_create(
        actor=bb, initiative=world.initiative, email="gone@example.org", role=Role.VIEWER
    )
    # A newer invitation for the same address replaces the older one.
    _, token3 = services.invitation_create(
        actor=bb, initiative=world.initiative, email="gone@example.org", role=Role.VIEWER
    )
    with pytest.raises(ApplicationError) as exc:
        services.invitation_accept(token=token2, user=UserFactory())
    assert exc.value.code == "revoked"
    with pytest.raises(ApplicationError) as exc:
        services.invitation_accept(token="nonsense", user=UserFactory())
    assert exc.value.code == "not_found"
    services.invitation_accept(token=token3, user=UserFactory())


def test_sign_up_errors_are_per_field_and_create_nothing(world):
    _, token = services.invitation_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        email="x@example.org",
        role=Role.VIEWER,
    )
    users_before = type(world.users["backbone"]).objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.invitation_accept_new_user(token=token, username="bb", password="123")
    assert set(exc.value.errors) == {"username", "password"}
    assert type(world.users["backbone"]).objects.count() == users_before


def test_members_cannot_be_invited_twice(world):
    with pytest.raises(ApplicationError) as exc:
        services.invitation_create(
            actor=world.users["backbone"],
            initiative=world.initiative,
            email=world.users["viewer"].email,
            role=Role.VIEWER,
        )
    assert "email" in exc.value.errors


def test_profile_update_validates_email_uniqueness(world):
    viewer = world.users["viewer"]
    with pytest.raises(ApplicationError) as exc:
        services.profile_update(actor=viewer, user=viewer, email=world.users["lead"].email)
    assert "email" in exc.value.errors
    services.profile_update(actor=viewer, user=viewer, function="Finance", level="executive")
    viewer.refresh_from_db()
    assert (viewer.function, viewer.level) == ("Finance", "executive")


def test_several_people_are_invited_at_once_or_not_at_all(
    world, django_capture_on_commit_callbacks
):
    bb = world.users["backbone"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError) as exc:
        services.invitations_create(
            actor=bb,
            initiative=world.initiative,
            role=Role.VIEWER,
            emails=["a@example.org", "not-an-address", world.users["lead"].email],
        )
    assert len(exc.value.errors["emails"]) == 2
    assert "not-an-address" in exc.value.errors["emails"][0]
    assert not Invitation.objects.filter(initiative=world.initiative).exists()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        invitations = services.invitations_create(
            actor=bb,
            initiative=world.initiative,
            role=Role.CONTRIBUTOR,
            partner=world.partner,
            emails=["a@example.org", "b@example.org"],
        )
    assert [i.email for i in invitations] == ["a@example.org", "b@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
