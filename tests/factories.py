"""Factories for tests. Objects that have a service are built through it."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from collective.core import services
from collective.core.choices import PartnerKind, Role, Visibility
from collective.core.models import Membership

User = get_user_model()
PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_initiative(creator=None, *, name="Acme Change", slug=None, visibility=Visibility.PRIVATE):
    creator = creator or UserFactory()
    return services.initiative_create(
        actor=creator, name=name, slug=slug or "", visibility=visibility
    )


def make_partner(initiative, name, *, parent=None, kind=PartnerKind.TEAM, actor=None):
    return services.partner_create(
        actor=actor, initiative=initiative, name=name, parent=parent, kind=kind
    )


def add_member(initiative, user=None, *, role=Role.VIEWER, partner=None):
    user = user or UserFactory()
    Membership.objects.create(initiative=initiative, user=user, role=role, partner=partner)
    return user
