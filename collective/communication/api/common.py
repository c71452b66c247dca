"""What the communication API's modules share: strict serializers, choices with their labels,
members and partners named in a request, and the initiative-scoped viewset."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, viewsets

from collective.core.api.permissions import InitiativeScoped

# Re-exported: the base of the write payloads of meetings, exchange and delivery.
from collective.core.api.serializers import StrictSerializer as StrictSerializer
from collective.core.markdown import render_markdown
from collective.core.models import Partner

from .. import activity_links
from ..choices import (
    NotificationKind,
    TouchpointKind,
    UpdateKind,
)

User = get_user_model()


def inline_choices(choices):
    """A choice field whose enum is inlined in the schema ("kind", "status" and "stance" mean
    different things in different apps, and one shared component name would clash)."""
    pairs = list(getattr(choices, "choices", choices))

    @extend_schema_field({"type": "string", "enum": [value for value, _label in pairs]})
    class InlineChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.pop("choices", None)
            super().__init__(choices=pairs, **kwargs)

    return InlineChoiceField


class ModelSerializer(serializers.ModelSerializer):
    """Model fields with choices get inlined enums too."""

    def build_standard_field(self, field_name, model_field):
        cls, kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in kwargs:
            cls = inline_choices(kwargs["choices"])
        return cls, kwargs


TouchpointKindField = inline_choices(TouchpointKind)
UpdateKindField = inline_choices(UpdateKind)
NotificationKindField = inline_choices(NotificationKind)


def choice_text(choices, **kwargs):
    """A write field naming its choices in the docs; the service checks the value and answers
    with a clear message. (An enum on both the read and the write side of several resources
    would make the schema's enum names collide with other apps' "kind", "status", "stance".)"""
    return serializers.CharField(help_text=f"One of: {', '.join(choices.values)}.", **kwargs)


def _member(initiative, username, field):
    if not username:
        return None
    user = User.objects.filter(username=username, memberships__initiative=initiative).first()
    if user is None:
        raise serializers.ValidationError({field: [f"No member '{username}' here."]})
    return user


def _partner(initiative, uid, field):
    if not uid:
        return None
    partner = Partner.objects.filter(initiative=initiative, uid=uid).first()
    if partner is None:
        raise serializers.ValidationError({field: ["No such partner in this initiative."]})
    return partner


def _links(initiative, data):
    """outcome (uid), indicator (code) and activity (uid) of this initiative; an activity sent
    as null unlinks it."""
    from collective.agenda.models import Outcome
    from collective.measurement.models import Indicator

    found = {}
    if data.get("outcome"):
        found["outcome"] = Outcome.objects.filter(
            initiative=initiative, uid=data["outcome"]
        ).first()
        if found["outcome"] is None:
            raise serializers.ValidationError({"outcome": ["No such outcome."]})
    if data.get("indicator"):
        found["indicator"] = Indicator.objects.filter(
            initiative=initiative, code=data["indicator"]
        ).first()
        if found["indicator"] is None:
            raise serializers.ValidationError({"indicator": ["No such measure code."]})
    if "activity" in data:
        found["activity"] = _activity(initiative, data["activity"])
    return found


def _activity(initiative, uid):
    if uid is None:
        return None
    if not activity_links.installed():
        raise serializers.ValidationError(
            {"activity": ["Activities are not part of this site: nothing can link to one."]}
        )
    activity = activity_links.get(initiative, uid)
    if activity is None:
        raise serializers.ValidationError({"activity": ["No such activity in this initiative."]})
    return activity


ACTIVITY_HELP = "The uid of an activity of this initiative (mutually reinforcing activities)."


def activity_field(**kwargs):
    return serializers.UUIDField(
        source="activity_uid", read_only=True, allow_null=True, help_text=ACTIVITY_HELP, **kwargs
    )


class Scoped(viewsets.GenericViewSet):
    """Initiative-scoped viewset: `perms` maps an action to the permission it needs."""

    permission_classes = [InitiativeScoped]
    read_perm = "communication.view"
    perms: dict = {}

    @property
    def write_perm(self):
        return self.perms.get(self.action, "communication.manage")

    def paginated(self, queryset, serializer_class=None):
        page = self.paginate_queryset(queryset)
        cls = serializer_class or self.get_serializer_class()
        return self.get_paginated_response(
            cls(page, many=True, context=self.get_serializer_context()).data
        )

    def check(self, perm, obj):
        if not self.request.user.has_perm(perm, obj):
            raise exceptions.PermissionDenied()


def _md(text) -> str:
    return str(render_markdown(text))
