"""Communication API: Touchpoints, decisions and action items."""

from __future__ import annotations

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..choices import (
    ActionStatus,
    Cadence,
    DecisionMethod,
    Stance,
    TouchpointKind,
)
from ..filters import ActionFilter, DecisionFilter
from ..models import (
    ActionItem,
    Decision,
    Occurrence,
    TouchpointSeries,
)
from .common import (
    ACTIVITY_HELP,
    ModelSerializer,
    Scoped,
    StrictSerializer,
    TouchpointKindField,
    _links,
    _md,
    _member,
    _partner,
    activity_field,
    choice_text,
)

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
    partners = serializers.SerializerMethodField()

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
            "agenda_template",
            "correction_days",
            "partners",
            "sequence",
        ]
        read_only_fields = fields

    def get_partners(self, obj) -> list[str]:
        return [str(p.uid) for p in obj.partners.all()]


class TouchpointWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    kind = choice_text(TouchpointKind)
    purpose = serializers.CharField(required=False, allow_blank=True)
    cadence = choice_text(Cadence)
    rrule = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="An iCalendar RRULE, for the custom cadence only, e.g. "
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=TH.",
    )
    first_start = serializers.DateTimeField(
        help_text="Local date and time of the first meeting, in `time_zone` (no offset)."
    )
    time_zone = serializers.CharField()
    duration_minutes = serializers.IntegerField(required=False, default=60)
    facilitator = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="Username; blank for none."
    )
    location = serializers.CharField(required=False, allow_blank=True, help_text="Place or link.")
    agenda_template = serializers.CharField(
        required=False, allow_blank=True, help_text="Standing items, one per line."
    )
    correction_days = serializers.IntegerField(required=False)
    partners = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="Uids of the partners invited."
    )


class TouchpointViewSet(Scoped):
    serializer_class = TouchpointSerializer
    lookup_field = "uid"
    queryset = TouchpointSeries.objects.none()

    def get_queryset(self):
        return (
            selectors.series_list(self.initiative)
            .prefetch_related("partners")
            .select_related("facilitator")
            .order_by("title")
        )

    def list(self, request, slug=None):
        return self.paginated(self.get_queryset())

    def retrieve(self, request, slug=None, uid=None):
        return Response(self.get_serializer(selectors.series_get(self.initiative, uid)).data)

    def _fields(self, values: dict) -> dict:
        fields = dict(values)
        if "facilitator" in fields:
            fields["facilitator"] = _member(self.initiative, fields["facilitator"], "facilitator")
        if "first_start" in fields:
            fields["first_start"] = timezone.make_naive(fields["first_start"])
        if "partners" in fields:
            fields["partners"] = [
                _partner(self.initiative, u, "partners") for u in fields["partners"]
            ]
        return fields

    @extend_schema(request=TouchpointWriteSerializer, responses={201: TouchpointSerializer})
    def create(self, request, slug=None):
        data = TouchpointWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        series = services.series_create(
            actor=request.user, initiative=self.initiative, **self._fields(data.validated_data)
        )
        return Response(self.get_serializer(series).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TouchpointWriteSerializer(partial=True), responses=TouchpointSerializer)
    def partial_update(self, request, slug=None, uid=None):
        """Change a series; a change of timing re-plans the future meetings nobody touched."""
        series = selectors.series_get(self.initiative, uid)
        data = TouchpointWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = self._fields(data.validated_data)
        if "rrule" in fields and "cadence" not in fields:
            fields["cadence"] = Cadence.CUSTOM  # a rule sent alone means a custom cadence
        series = services.series_update(actor=request.user, series=series, **fields)
        return Response(self.get_serializer(series).data)

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
    activity = activity_field()
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
            "activity",
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
    activity = serializers.UUIDField(
        required=False, allow_null=True, help_text=ACTIVITY_HELP + " null unlinks it."
    )


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
