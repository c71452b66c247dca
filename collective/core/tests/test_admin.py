"""The admin cannot change platform data behind the services' back (issue 8, item 5)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from collective.core import rules as core_rules
from collective.core.choices import PartnerKind, Role
from collective.core.models import Invitation, Membership, Partner
from collective.measurement.rules import entry_scope
from tests.factories import UserFactory

DOMAIN_MODELS = ["initiative", "partner", "membership", "invitation", "auditevent"]


@pytest.fixture
def superuser_client(client, world):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", DOMAIN_MODELS)
def test_domain_objects_are_read_only_in_the_admin(model, world, superuser_client):
    from collective.core.services import invitation_create

    invitation_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        email="new@example.org",
        role=Role.VIEWER,
    )
    instance = {
        "initiative": world.initiative,
        "partner": world.partner,
        "membership": Membership.objects.filter(initiative=world.initiative).first(),
        "invitation": Invitation.objects.first(),
        "auditevent": world.initiative.audit_events.first(),
    }[model]
    changelist = superuser_client.get(reverse(f"admin:core_{model}_changelist"))
    assert changelist.status_code == 200
    assert superuser_client.get(reverse(f"admin:core_{model}_add")).status_code == 403
    change_url = reverse(f"admin:core_{model}_change", args=[instance.pk])
    page = superuser_client.get(change_url)
    assert page.status_code == 200 and b'name="_save"' not in page.content  # a view, no form
    assert superuser_client.post(change_url, {}).status_code == 403
    delete_url = reverse(f"admin:core_{model}_delete", args=[instance.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert type(instance).objects.filter(pk=instance.pk).exists()


def test_the_admin_cannot_create_a_partner_that_widens_a_scope(world, superuser_client):
    """Before: the admin saved a partner with path '' — a prefix of every partner's path — so
    a contributor of that partner could enter data for every partner."""
    before = Partner.objects.count()
    response = superuser_client.post(
        reverse("admin:core_partner_add"),
        {"initiative": world.initiative.pk, "name": "Back door", "kind": PartnerKind.TEAM},
    )
    assert response.status_code == 403
    assert Partner.objects.count() == before
    assert not Partner.objects.filter(path="").exists()


def test_people_are_deactivated_not_deleted_in_the_admin(world, superuser_client):
    contributor = world.users["contributor"]
    url = reverse("admin:core_user_delete", args=[contributor.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(user=contributor).exists()
    change = superuser_client.get(reverse("admin:core_user_change", args=[contributor.pk]))
    assert change.status_code == 200 and b'name="is_active"' in change.content


@pytest.mark.parametrize("path", ["", "/", "//", "3/", "/3"])
def test_the_database_refuses_a_partner_path_of_the_wrong_shape(world, path):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(initiative=world.initiative, name="Bad", path=path)
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.filter(pk=world.partner.pk).update(path=path)


def test_partner_paths_made_by_the_services(world):
    assert world.partner.path == f"/{world.partner.pk}/"
    assert world.subpartner.path == f"/{world.partner.pk}/{world.subpartner.pk}/"
    assert world.subpartner.depth == 1


def test_an_empty_path_is_in_no_scope(world):
    """Even an unsaved partner object with an empty path widens nothing (fail closed)."""
    assert core_rules.subtree_of(Partner(path="")) == core_rules.NO_PARTNER
    assert not core_rules.PartnerScope(path="").covers(world.other_partner.path)
    assert not core_rules.NO_PARTNER.covers(world.other_partner.path)
    assert core_rules.EVERY_PARTNER.covers(world.other_partner.path)
    assert core_rules.subtree_of(world.partner).covers(world.subpartner.path)
    assert not core_rules.subtree_of(world.subpartner).covers(world.partner.path)
    # "/1/" must not cover "/12/".
    assert not core_rules.PartnerScope(path="/1/").covers("/12/")


def test_entry_scope_is_explicit(world):
    contributor = world.users["contributor"]
    assert entry_scope(world.users["backbone"], world.initiative).every_partner
    assert entry_scope(None, world.initiative).every_partner
    scope = entry_scope(contributor, world.initiative)
    assert not scope.every_partner and scope.path == world.partner.path
    assert scope.covers(world.subpartner.path) and not scope.covers(world.other_partner.path)
    assert entry_scope(world.users["viewer"], world.initiative) == core_rules.NO_PARTNER
    # A contributor whose partner object somehow lacks its path may enter nothing.
    membership = core_rules.membership_for(contributor, world.initiative)
    membership.partner.path = ""
    assert entry_scope(contributor, world.initiative) == core_rules.NO_PARTNER
    assert not core_rules.in_partner_scope(contributor, world.other_partner)


def test_migration_repairs_empty_paths(world):
    """Paths saved by the admin before the constraint are recomputed from the parent links."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("collective.core.migrations.0002_partner_path_shape")
    try:
        with transaction.atomic():
            _drop_path_constraint()
            Partner.objects.filter(pk__in=[world.partner.pk, world.subpartner.pk]).update(
                path="", depth=0
            )
            migration.repair_paths(apps, None)
            world.subpartner.refresh_from_db()
            assert world.subpartner.path == f"/{world.partner.pk}/{world.subpartner.pk}/"
            assert world.subpartner.depth == 1
            transaction.set_rollback(True)  # the constraint comes back on PostgreSQL
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")


def _drop_path_constraint():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
            cursor.execute("ALTER TABLE core_partner DROP CONSTRAINT partner_path_shape")
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")


def test_selectors_take_none_for_no_filter(world, api_as):
    """An empty string is a value, not "any": filters left as None filter nothing."""
    from collective.core.selectors import membership_list

    everyone = membership_list(world.initiative)
    assert everyone.count() == 4
    assert membership_list(world.initiative, role=None, search=None).count() == 4
    assert membership_list(world.initiative, role=Role.VIEWER).count() == 1
    assert membership_list(world.initiative, role="").count() == 0  # "" is no role at all
    url = f"/api/v1/initiatives/{world.initiative.slug}/members/"
    assert api_as("viewer").get(url, {"role": "", "search": ""}).json()["count"] == 4
