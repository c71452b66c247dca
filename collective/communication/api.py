"""API of continuous communication under /api/v1/initiatives/<slug>/: touchpoints, decisions,
action items, updates, discussions, feedback, surveys, notifications and webhooks. The same
rules as the pages, the same services behind every write, the same FilterSets for lists."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from collective.core.api.permissions import InitiativeScoped
from collective.core.markdown import render_markdown
from collective.core.models import Partner

from . import selectors, services
from .choices import (
    ActionStatus,
    Cadence,
    DecisionMethod,
    EmailMode,
    FeedbackStatus,
    FeedbackTheme,
    NotificationKind,
    Stance,
    TouchpointKind,
    UpdateKind,
    WebhookFormat,
)
from .filters import ActionFilter, DecisionFilter, DiscussionFilter, FeedbackFilter, UpdateFilter
from .models import (
    ActionItem,
    Decision,
    Discussion,
    DiscussionPost,
    Feedback,
    Notification,
    Occurrence,
    Survey,
    SurveyInvite,
    TouchpointSeries,
    Update,
    WebhookDelivery,
    WebhookEndpoint,
)
from .services.webhooks import EVENTS

User = get_user_model()


class StrictSerializer(serializers.Serializer):
    """A write payload that refuses unknown or read-only fields instead of ignoring them."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [f"Unknown or read-only field; send only: {', '.join(self.fields)}."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


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
    """outcome (uid) and indicator (code) of this initiative."""
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
    return found


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


# --- Touchpoints -----------------------------------------------------------------------------


class OccurrenceSerializer(ModelSerializer):
    moved = serializers.BooleanField(source="is_moved", read_only=True)

    class Meta:
        model = Occurrence
        fields = [
            "uid",
            "original_start",
            "start",
            "end",
            "status",
            "moved",
            "location",
            "minutes_state",
            "closed_at",
        ]
        read_only_fields = fields


class TouchpointSerializer(ModelSerializer):
    kind = TouchpointKindField(read_only=True)
    facilitator = serializers.CharField(source="facilitator.username", default=None)
    first_start = serializers.DateTimeField(read_only=True)

    class Meta:
        model = TouchpointSeries
        fields = [
            "uid",
            "title",
            "kind",
            "purpose",
            "cadence",
            "rrule",
            "first_start",
            "time_zone",
            "duration_minutes",
            "facilitator",
            "location",
            "sequence",
        ]
        read_only_fields = fields


class TouchpointCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    kind = choice_text(TouchpointKind)
    purpose = serializers.CharField(required=False, allow_blank=True)
    cadence = choice_text(Cadence)
    rrule = serializers.CharField(required=False, allow_blank=True)
    first_start = serializers.DateTimeField(
        help_text="Local date and time of the first meeting, in `time_zone` (no offset)."
    )
    time_zone = serializers.CharField()
    duration_minutes = serializers.IntegerField(required=False, default=60)
    facilitator = serializers.CharField(required=False, allow_blank=True, help_text="Username.")
    location = serializers.CharField(required=False, allow_blank=True)


class TouchpointViewSet(Scoped):
    serializer_class = TouchpointSerializer
    lookup_field = "uid"
    queryset = TouchpointSeries.objects.none()

    def get_queryset(self):
        return selectors.series_list(self.initiative).order_by("title")

    def list(self, request, slug=None):
        return self.paginated(self.get_queryset())

    def retrieve(self, request, slug=None, uid=None):
        return Response(self.get_serializer(selectors.series_get(self.initiative, uid)).data)

    @extend_schema(request=TouchpointCreateSerializer, responses={201: TouchpointSerializer})
    def create(self, request, slug=None):
        data = TouchpointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["facilitator"] = _member(self.initiative, fields.get("facilitator"), "facilitator")
        fields["first_start"] = timezone.make_naive(fields["first_start"])
        series = services.series_create(actor=request.user, initiative=self.initiative, **fields)
        return Response(self.get_serializer(series).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=OccurrenceSerializer(many=True))
    @action(detail=True, methods=["get"])
    def meetings(self, request, slug=None, uid=None):
        series = selectors.series_get(self.initiative, uid)
        return self.paginated(series.occurrences.order_by("start"), OccurrenceSerializer)


# --- Decisions -------------------------------------------------------------------------------


class DecisionSerializer(ModelSerializer):
    owner = serializers.CharField(source="owner.username", default=None)
    meeting = serializers.UUIDField(source="occurrence.uid", default=None)
    statement_html = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "uid",
            "number",
            "title",
            "proposal",
            "statement",
            "statement_html",
            "method",
            "status",
            "meeting",
            "deadline",
            "quorum_percent",
            "consulted",
            "owner",
            "review_date",
            "reviewed_at",
            "decided_at",
            "tally",
        ]
        read_only_fields = fields

    def get_statement_html(self, obj) -> str:
        return _md(obj.statement)

    def get_tally(self, obj) -> dict | None:
        return selectors.decision_tally(obj) if obj.method == DecisionMethod.ASYNC else None


class DecisionCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    method = choice_text(DecisionMethod)
    statement = serializers.CharField(required=False, allow_blank=True)
    proposal = serializers.CharField(required=False, allow_blank=True)
    meeting = serializers.UUIDField(required=False)
    consulted = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.CharField(required=False, allow_blank=True)
    review_date = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateTimeField(required=False)
    quorum_percent = serializers.IntegerField(required=False, default=50)
    asked = serializers.ListField(child=serializers.CharField(), required=False)


class VoteSerializer(StrictSerializer):
    stance = choice_text(Stance)
    reason = serializers.CharField(required=False, allow_blank=True)


class ConcludeSerializer(StrictSerializer):
    statement = serializers.CharField()
    consulted = serializers.CharField(required=False, allow_blank=True)
    review_date = serializers.DateField(required=False, allow_null=True)


class DecisionViewSet(Scoped):
    serializer_class = DecisionSerializer
    lookup_field = "number"
    lookup_value_regex = r"\d+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = DecisionFilter
    queryset = Decision.objects.none()
    perms = {"vote": "communication.view"}

    def get_queryset(self):
        return selectors.decision_list(self.initiative).select_related("occurrence")

    def list(self, request, slug=None):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, slug=None, number=None):
        return Response(self.get_serializer(selectors.decision_get(self.initiative, number)).data)

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer})
    def create(self, request, slug=None):
        data = DecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        owner = _member(self.initiative, v.get("owner"), "owner")
        if v["method"] == DecisionMethod.ASYNC:
            asked = [_member(self.initiative, u, "asked") for u in v.get("asked", [])]
            decision = services.decision_propose(
                actor=request.user,
                initiative=self.initiative,
                title=v["title"],
                proposal=v.get("proposal", ""),
                deadline=v.get("deadline"),
                asked=asked,
                quorum_percent=v.get("quorum_percent", 50),
                owner=owner,
                review_date=v.get("review_date"),
            )
        else:
            meeting = None
            if v.get("meeting"):
                meeting = Occurrence.objects.filter(
                    initiative=self.initiative, uid=v["meeting"]
                ).first()
                if meeting is None:
                    raise serializers.ValidationError({"meeting": ["No such meeting."]})
            decision = services.decision_record(
                actor=request.user,
                initiative=self.initiative,
                title=v["title"],
                statement=v.get("statement", ""),
                method=v["method"],
                occurrence=meeting,
                consulted=v.get("consulted", ""),
                owner=owner,
                review_date=v.get("review_date"),
                proposal=v.get("proposal", ""),
            )
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VoteSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def vote(self, request, slug=None, number=None):
        decision = selectors.decision_get(self.initiative, number)
        data = VoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_vote(actor=request.user, decision=decision, **data.validated_data)
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConcludeSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, slug=None, number=None):
        decision = selectors.decision_get(self.initiative, number)
        data = ConcludeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_conclude(actor=request.user, decision=decision, **data.validated_data)
        return Response(self.get_serializer(decision).data)


# --- Action items ----------------------------------------------------------------------------


class ActionItemSerializer(ModelSerializer):
    owner = serializers.CharField(source="owner.username", default=None)
    owner_partner = serializers.UUIDField(source="owner_partner.uid", default=None)
    meeting = serializers.UUIDField(source="occurrence.uid", default=None)
    decision = serializers.IntegerField(source="decision.number", default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "uid",
            "title",
            "description",
            "owner",
            "owner_partner",
            "due_date",
            "status",
            "overdue",
            "done_at",
            "meeting",
            "decision",
            "activity_title",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_open and obj.due_date < timezone.localdate()


class ActionWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.CharField(required=False, allow_blank=True, help_text="Username.")
    owner_partner = serializers.UUIDField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False)
    status = choice_text(ActionStatus, required=False)
    outcome = serializers.UUIDField(required=False, allow_null=True)
    indicator = serializers.CharField(required=False, allow_blank=True)
    meeting = serializers.UUIDField(required=False)
    decision = serializers.IntegerField(required=False)


class ActionItemViewSet(Scoped):
    serializer_class = ActionItemSerializer
    lookup_field = "uid"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActionFilter
    queryset = ActionItem.objects.none()
    perms = {"create": "communication.create_action", "partial_update": "communication.view"}

    def get_queryset(self):
        return selectors.action_list(self.initiative).select_related("occurrence")

    def list(self, request, slug=None):
        qs = self.get_queryset()
        if request.query_params.get("mine"):
            qs = selectors.my_actions(self.initiative, request.user)
        return self.paginated(self.filter_queryset(qs))

    def retrieve(self, request, slug=None, uid=None):
        return Response(self.get_serializer(selectors.action_get(self.initiative, uid)).data)

    def _fields(self, v):
        fields = {}
        for key in ("title", "description", "due_date", "status"):
            if key in v:
                fields[key] = v[key]
        if "owner" in v:
            fields["owner"] = _member(self.initiative, v["owner"], "owner")
        if "owner_partner" in v:
            fields["owner_partner"] = _partner(self.initiative, v["owner_partner"], "owner_partner")
        fields.update(_links(self.initiative, v))
        return fields

    @extend_schema(request=ActionWriteSerializer, responses={201: ActionItemSerializer})
    def create(self, request, slug=None):
        data = ActionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        fields = self._fields(v)
        fields.pop("status", None)
        if v.get("meeting"):
            fields["occurrence"] = Occurrence.objects.filter(
                initiative=self.initiative, uid=v["meeting"]
            ).first()
        if v.get("decision"):
            fields["decision"] = Decision.objects.filter(
                initiative=self.initiative, number=v["decision"]
            ).first()
        fields.setdefault("title", "")
        fields.setdefault("due_date", None)
        action_item = services.action_create(
            actor=request.user, initiative=self.initiative, **fields
        )
        return Response(self.get_serializer(action_item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionWriteSerializer, responses=ActionItemSerializer)
    def partial_update(self, request, slug=None, uid=None):
        action_item = selectors.action_get(self.initiative, uid)
        self.check("communication.change_action", action_item)
        data = ActionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = self._fields(data.validated_data)
        services.action_update(actor=request.user, action=action_item, **fields)
        return Response(self.get_serializer(action_item).data)


# --- Updates ---------------------------------------------------------------------------------


class UpdateSerializer(ModelSerializer):
    kind = UpdateKindField(read_only=True)
    partner = serializers.UUIDField(source="partner.uid", default=None)
    author = serializers.CharField(source="author.username", default=None)
    outcome = serializers.UUIDField(source="outcome.uid", default=None)
    indicator = serializers.CharField(source="indicator.code", default=None)
    body_html = serializers.SerializerMethodField()
    offers = serializers.SerializerMethodField()

    class Meta:
        model = Update
        fields = [
            "uid",
            "kind",
            "title",
            "body",
            "body_html",
            "partner",
            "author",
            "outcome",
            "indicator",
            "activity_title",
            "resolved_at",
            "reply_count",
            "offers",
            "created_at",
        ]
        read_only_fields = fields

    def get_body_html(self, obj) -> str:
        return _md(obj.body)

    def get_offers(self, obj) -> int:
        count = getattr(obj, "offer_count", None)
        return count if count is not None else obj.offers.count()


class UpdateCreateSerializer(StrictSerializer):
    kind = choice_text(UpdateKind)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True)
    partner = serializers.UUIDField(required=False)
    outcome = serializers.UUIDField(required=False)
    indicator = serializers.CharField(required=False, allow_blank=True)


class BodySerializer(StrictSerializer):
    body = serializers.CharField()


class OfferSerializer(StrictSerializer):
    message = serializers.CharField()


class UpdateViewSet(Scoped):
    serializer_class = UpdateSerializer
    lookup_field = "uid"
    filter_backends = [DjangoFilterBackend]
    filterset_class = UpdateFilter
    queryset = Update.objects.none()
    perms = {
        "create": "communication.take_part",
        "reply": "communication.take_part",
        "offer": "communication.take_part",
    }

    def get_queryset(self):
        return selectors.update_list(self.initiative)

    def list(self, request, slug=None):
        page = selectors.with_offer_counts(
            list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug=None, uid=None):
        return Response(self.get_serializer(selectors.update_get(self.initiative, uid)).data)

    @extend_schema(request=UpdateCreateSerializer, responses={201: UpdateSerializer})
    def create(self, request, slug=None):
        data = UpdateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        update = services.update_post(
            actor=request.user,
            initiative=self.initiative,
            kind=v["kind"],
            title=v["title"],
            body=v.get("body", ""),
            partner=_partner(self.initiative, v.get("partner"), "partner"),
            **_links(self.initiative, v),
        )
        return Response(self.get_serializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BodySerializer, responses={201: UpdateSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, slug=None, uid=None):
        update = selectors.update_get(self.initiative, uid)
        data = BodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_reply(actor=request.user, update=update, **data.validated_data)
        update.refresh_from_db()
        return Response(self.get_serializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OfferSerializer, responses={201: UpdateSerializer})
    @action(detail=True, methods=["post"])
    def offer(self, request, slug=None, uid=None):
        update = selectors.update_get(self.initiative, uid)
        data = OfferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.help_offer(actor=request.user, update=update, **data.validated_data)
        return Response(self.get_serializer(update).data, status=status.HTTP_201_CREATED)


# --- Discussions -----------------------------------------------------------------------------


class PostSerializer(ModelSerializer):
    author = serializers.CharField(source="author.username", default=None)
    parent = serializers.UUIDField(source="parent.uid", default=None)
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = DiscussionPost
        fields = ["uid", "parent", "author", "body", "body_html", "created_at"]
        read_only_fields = fields

    def get_body_html(self, obj) -> str:
        return _md(obj.body)


class DiscussionSerializer(ModelSerializer):
    author = serializers.CharField(source="author.username", default=None)

    class Meta:
        model = Discussion
        fields = ["uid", "title", "author", "post_count", "last_post_at", "closed", "created_at"]
        read_only_fields = fields


class DiscussionCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()


class PostCreateSerializer(StrictSerializer):
    body = serializers.CharField()
    parent = serializers.UUIDField(required=False)


class DiscussionViewSet(Scoped):
    serializer_class = DiscussionSerializer
    lookup_field = "uid"
    filter_backends = [DjangoFilterBackend]
    filterset_class = DiscussionFilter
    queryset = Discussion.objects.none()
    perms = {"create": "communication.take_part", "posts": "communication.take_part"}

    def get_queryset(self):
        return selectors.discussion_list(self.initiative)

    def list(self, request, slug=None):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, slug=None, uid=None):
        return Response(self.get_serializer(selectors.discussion_get(self.initiative, uid)).data)

    @extend_schema(request=DiscussionCreateSerializer, responses={201: DiscussionSerializer})
    def create(self, request, slug=None):
        data = DiscussionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        discussion = services.discussion_start(
            actor=request.user, initiative=self.initiative, **data.validated_data
        )
        return Response(self.get_serializer(discussion).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PostCreateSerializer, responses={200: PostSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def posts(self, request, slug=None, uid=None):
        discussion = selectors.discussion_get(self.initiative, uid)
        if request.method == "POST":
            data = PostCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            parent = None
            if data.validated_data.get("parent"):
                parent = discussion.posts.filter(uid=data.validated_data["parent"]).first()
            post = services.discussion_reply(
                actor=request.user,
                discussion=discussion,
                body=data.validated_data["body"],
                parent=parent,
            )
            return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)
        return self.paginated(discussion.posts.select_related("author", "parent"), PostSerializer)


# --- Feedback --------------------------------------------------------------------------------


class FeedbackSerializer(ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "uid",
            "theme",
            "body",
            "author",
            "anonymous",
            "status",
            "response",
            "responded_at",
            "closed_at",
            "led_to_label",
            "led_to_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_author(self, obj) -> str | None:
        return None if obj.anonymous or obj.author is None else obj.author.username


class FeedbackCreateSerializer(StrictSerializer):
    theme = choice_text(FeedbackTheme)
    body = serializers.CharField()
    anonymous = serializers.BooleanField(required=False, default=False)


class RespondSerializer(StrictSerializer):
    status = choice_text(FeedbackStatus)
    response = serializers.CharField(required=False, allow_blank=True)
    led_to_label = serializers.CharField(required=False, allow_blank=True)
    led_to_url = serializers.CharField(required=False, allow_blank=True)


class FeedbackViewSet(Scoped):
    serializer_class = FeedbackSerializer
    lookup_field = "uid"
    filter_backends = [DjangoFilterBackend]
    filterset_class = FeedbackFilter
    queryset = Feedback.objects.none()
    perms = {"create": "communication.give_feedback"}

    def get_queryset(self):
        return selectors.feedback_list(self.initiative)

    def list(self, request, slug=None):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, slug=None, uid=None):
        return Response(self.get_serializer(selectors.feedback_get(self.initiative, uid)).data)

    @extend_schema(request=FeedbackCreateSerializer, responses={201: FeedbackSerializer})
    def create(self, request, slug=None):
        data = FeedbackCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.feedback_give(
            actor=request.user, initiative=self.initiative, **data.validated_data
        )
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RespondSerializer, responses=FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, slug=None, uid=None):
        item = selectors.feedback_get(self.initiative, uid)
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.feedback_respond(actor=request.user, feedback=item, **data.validated_data)
        return Response(self.get_serializer(item).data)


# --- Surveys ---------------------------------------------------------------------------------


class SurveySerializer(ModelSerializer):
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "uid",
            "title",
            "intro",
            "anonymous",
            "min_group_size",
            "status",
            "opened_at",
            "closes_at",
            "closed_at",
            "questions",
        ]
        read_only_fields = fields

    def get_questions(self, obj) -> list[dict]:
        return [
            {"id": q.pk, "kind": q.kind, "text": q.text, "choices": q.choices}
            for q in obj.questions.all()
        ]


class SurveyAnswersSerializer(StrictSerializer):
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="{question id: answer} — 1 to 5 for a scale, an option, or text.",
    )


def _results_json(results: dict) -> dict:
    out = {k: v for k, v in results.items() if k != "questions"}
    out["questions"] = [
        {**{k: v for k, v in q.items() if k != "question"}, "id": q["question"].pk}
        for q in results["questions"]
    ]
    return out


class SurveyViewSet(Scoped):
    serializer_class = SurveySerializer
    lookup_field = "uid"
    queryset = Survey.objects.none()
    perms = {"responses": "communication.view"}

    def get_queryset(self):
        return Survey.objects.filter(initiative=self.initiative).prefetch_related("questions")

    def list(self, request, slug=None):
        return self.paginated(self.get_queryset().order_by("-created_at"))

    def retrieve(self, request, slug=None, uid=None):
        survey = selectors.survey_get(self.initiative, uid)
        data = self.get_serializer(survey).data
        if survey.status == "closed" or request.user.has_perm(
            "communication.manage", self.initiative
        ):
            data["results"] = _results_json(selectors.survey_results(survey))
        data["answered"] = SurveyInvite.objects.filter(
            survey=survey, user=request.user, responded=True
        ).exists()
        return Response(data)

    @extend_schema(request=SurveyAnswersSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def responses(self, request, slug=None, uid=None):
        survey = selectors.survey_get(self.initiative, uid)
        data = SurveyAnswersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.survey_respond(
            actor=request.user, survey=survey, answers=data.validated_data["answers"]
        )
        return Response({"message": "Thank you: your answers are recorded."}, status=201)


# --- Notifications ---------------------------------------------------------------------------


class NotificationSerializer(ModelSerializer):
    kind = NotificationKindField(read_only=True)
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "actor", "created_at", "read_at"]
        read_only_fields = fields


class PreferenceSerializer(StrictSerializer):
    email_mode = choice_text(EmailMode)
    time_zone = serializers.CharField()
    digest_hour = serializers.IntegerField(required=False, default=7)


class NotificationViewSet(Scoped):
    """The signed-in person's own notifications in this initiative."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    perms = {
        "read": "communication.view",
        "read_all": "communication.view",
        "preferences": "communication.view",
    }

    def list(self, request, slug=None):
        qs = selectors.notification_list(request.user, self.initiative)
        if request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return self.paginated(qs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, slug=None, pk=None):
        notification = Notification.objects.filter(pk=pk, initiative=self.initiative).first()
        if notification is None:
            raise Http404("No such notification.")
        if notification.user_id != request.user.pk:
            raise exceptions.PermissionDenied("That notification is someone else's.")
        services.notification_read(user=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, slug=None):
        count = services.notifications_read_all(user=request.user, initiative=self.initiative)
        return Response({"marked_read": count})

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    @action(detail=False, methods=["get", "put"])
    def preferences(self, request, slug=None):
        if request.method == "PUT":
            data = PreferenceSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.preference_update(user=request.user, **data.validated_data)
        from .services.notifications import preference_for

        pref = preference_for(request.user)
        return Response(
            {
                "email_mode": pref.email_mode,
                "time_zone": pref.time_zone,
                "digest_hour": pref.digest_hour,
            }
        )


# --- Webhooks --------------------------------------------------------------------------------


class WebhookSerializer(ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "uid",
            "name",
            "url",
            "format",
            "events",
            "active",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
        ]
        read_only_fields = fields


class WebhookWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=500, required=False)
    format = choice_text(WebhookFormat, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)), required=False
    )
    active = serializers.BooleanField(required=False)


class DeliverySerializer(ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "message_id",
            "event_type",
            "state",
            "attempts",
            "last_status",
            "last_error",
            "last_duration_ms",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields


class ReplaySerializer(StrictSerializer):
    delivery = serializers.IntegerField()


class WebhookViewSet(Scoped):
    serializer_class = WebhookSerializer
    lookup_field = "uid"
    read_perm = "communication.manage"
    queryset = WebhookEndpoint.objects.none()

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(initiative=self.initiative)

    def list(self, request, slug=None):
        return self.paginated(self.get_queryset())

    def retrieve(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        data = self.get_serializer(endpoint).data
        data["secret"] = endpoint.secret
        return Response(data)

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookSerializer})
    def create(self, request, slug=None):
        data = WebhookWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("active", None)
        endpoint = services.webhook_create(
            actor=request.user,
            initiative=self.initiative,
            name=v.get("name", ""),
            url=v.get("url", ""),
            format=v.get("format", WebhookFormat.STANDARD),
            events=v.get("events", []),
        )
        out = self.get_serializer(endpoint).data
        out["secret"] = endpoint.secret
        return Response(out, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookWriteSerializer, responses=WebhookSerializer)
    def partial_update(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        data = WebhookWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.webhook_update(actor=request.user, endpoint=endpoint, **data.validated_data)
        return Response(self.get_serializer(endpoint).data)

    def destroy(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        services.webhook_delete(actor=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        return self.paginated(
            endpoint.deliveries.order_by("-created_at", "-id"), DeliverySerializer
        )

    @extend_schema(request=ReplaySerializer, responses={201: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        data = ReplaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = endpoint.deliveries.filter(pk=data.validated_data["delivery"]).first()
        if delivery is None:
            raise serializers.ValidationError({"delivery": ["No such delivery of this webhook."]})
        replay = services.delivery_replay(actor=request.user, delivery=delivery)
        return Response(DeliverySerializer(replay).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WebhookSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        services.webhook_rotate_secret(actor=request.user, endpoint=endpoint)
        out = self.get_serializer(endpoint).data
        out["secret"] = endpoint.secret
        return Response(out)


_router = SimpleRouter(trailing_slash=True)
_router.register("touchpoints", TouchpointViewSet, basename="touchpoint")
_router.register("decisions", DecisionViewSet, basename="decision")
_router.register("action-items", ActionItemViewSet, basename="action-item")
_router.register("updates", UpdateViewSet, basename="update")
_router.register("discussions", DiscussionViewSet, basename="discussion")
_router.register("feedback", FeedbackViewSet, basename="feedback")
_router.register("surveys", SurveyViewSet, basename="survey")
_router.register("notifications", NotificationViewSet, basename="notification")
_router.register("webhooks", WebhookViewSet, basename="webhook")

initiative_urlpatterns = _router.urls
