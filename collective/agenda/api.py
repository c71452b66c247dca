"""API of the common agenda: versions (with transitions), the outcome tree, consultation items
and endorsements. Same rules as the pages: viewers read, contributors take part in the
consultation, partner leads endorse, the backbone drafts, opens, closes and adopts."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from collective.core.api.permissions import UUID_PATTERN, InitiativeScoped
from collective.core.api.serializers import StrictSerializer
from collective.core.errors import NOT_FOUND, ApplicationError
from collective.core.models import Partner
from collective.core.rules import membership_for

from . import selectors, services
from .choices import Horizon, ItemKind, OutcomeKind, Section, Stance, VersionStatus
from .models import AgendaVersion, ConsultationItem, Endorsement, OutcomeNode

# --- Serializers -----------------------------------------------------------------------------


# Inline enums: "kind" is also a partner's field, and one shared component name would clash.
@extend_schema_field({"type": "string", "enum": ItemKind.values})
class ItemKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ItemKind.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": list(OutcomeKind.values)})
class OutcomeKindField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)


class AgendaVersionSerializer(serializers.ModelSerializer):
    based_on = serializers.IntegerField(
        source="based_on.number", read_only=True, default=None, allow_null=True
    )
    adopted_by = serializers.CharField(
        source="adopted_by.username",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Username of who adopted it (null for the public).",
    )
    consultation_summary = serializers.CharField(
        read_only=True, allow_null=True, help_text="Null for the public."
    )
    outcome_count = serializers.SerializerMethodField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request, view = self.context.get("request"), self.context.get("view")
        initiative = getattr(view, "initiative", None)
        if request is not None and not request.user.has_perm("agenda.view", initiative):
            # The public reads the adopted text, not the consultation or usernames.
            data["adopted_by"] = None
            data["consultation_summary"] = None
        return data

    class Meta:
        model = AgendaVersion
        fields = [
            "uid",
            "number",
            "status",
            "title",
            "problem_statement",
            "vision",
            "principles",
            "rationale",
            "learning",
            "based_on",
            "revision",
            "consultation_opened_at",
            "consultation_closed_at",
            "consultation_summary",
            "adopted_at",
            "adopted_by",
            "outcome_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_outcome_count(self, obj) -> int:
        count = getattr(obj, "outcome_count", None)
        return count if count is not None else obj.nodes.count()


class VersionCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class VersionUpdateSerializer(StrictSerializer):
    revision = serializers.IntegerField(
        help_text="The revision you edited (optimistic locking): a stale one is refused."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    problem_statement = serializers.CharField(
        max_length=services.MAX_TEXT, required=False, allow_blank=True
    )
    vision = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True)
    principles = serializers.CharField(
        max_length=services.MAX_TEXT, required=False, allow_blank=True
    )
    rationale = serializers.CharField(
        max_length=services.MAX_TEXT, required=False, allow_blank=True
    )
    learning = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True)


class AdoptSerializer(StrictSerializer):
    rationale = serializers.CharField(
        max_length=services.MAX_TEXT, required=False, allow_blank=True
    )
    learning = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True)


class OutcomeNodeSerializer(serializers.ModelSerializer):
    uid = serializers.UUIDField(source="outcome.uid", read_only=True)
    kind = OutcomeKindField()
    version = serializers.IntegerField(source="version.number", read_only=True)
    parent = serializers.SerializerMethodField()
    depth = serializers.SerializerMethodField()
    lead_partner = serializers.UUIDField(
        source="lead_partner.uid", read_only=True, default=None, allow_null=True
    )
    co_partners = serializers.SerializerMethodField()

    class Meta:
        model = OutcomeNode
        fields = [
            "uid",
            "version",
            "parent",
            "depth",
            "kind",
            "statement",
            "description",
            "horizon",
            "lead_partner",
            "co_partners",
            "order",
        ]
        read_only_fields = fields

    def get_parent(self, obj) -> str | None:
        parent = getattr(obj, "parent_uid", None)
        if parent is None and obj.parent_id:
            parent = obj.parent.outcome.uid
        return str(parent) if parent else None

    def get_depth(self, obj) -> int:
        if hasattr(obj, "depth"):
            return obj.depth
        depth, node = 0, obj
        while node.parent_id:
            depth, node = depth + 1, node.parent
        return depth

    def get_co_partners(self, obj) -> list[str]:
        return [str(p.uid) for p in obj.co_partners.all()]


class OutcomeWriteSerializer(StrictSerializer):
    revision = serializers.IntegerField(
        help_text="The working draft's revision you edited (optimistic locking)."
    )
    statement = serializers.CharField(max_length=300, required=False)
    parent = serializers.UUIDField(
        required=False, allow_null=True, help_text="uid of the parent outcome; null for a goal."
    )
    description = serializers.CharField(
        max_length=services.MAX_NOTE, required=False, allow_blank=True
    )
    horizon = serializers.ChoiceField(choices=Horizon.choices, required=False)
    lead_partner = serializers.UUIDField(required=False, allow_null=True)
    co_partners = serializers.ListField(child=serializers.UUIDField(), required=False)


class ConsultationItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="comment, amendment, concern or support")
    parent = serializers.UUIDField(
        source="parent.uid", read_only=True, default=None, allow_null=True
    )
    outcome = serializers.UUIDField(
        source="outcome.uid", read_only=True, default=None, allow_null=True
    )
    author = serializers.CharField(
        source="author.username", read_only=True, default=None, allow_null=True
    )
    author_name = serializers.CharField(
        source="author.name", read_only=True, default=None, allow_null=True
    )
    partner = serializers.UUIDField(
        source="partner.uid", read_only=True, default=None, allow_null=True
    )
    partner_name = serializers.CharField(
        source="partner.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ConsultationItem
        fields = [
            "uid",
            "parent",
            "kind",
            "section",
            "outcome",
            "author",
            "author_name",
            "partner",
            "partner_name",
            "body",
            "proposed_text",
            "base_text",
            "status",
            "decision_reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class ItemCreateSerializer(StrictSerializer):
    kind = ItemKindField()
    section = serializers.ChoiceField(choices=Section.choices, required=False)
    outcome = serializers.UUIDField(required=False, allow_null=True)
    parent = serializers.UUIDField(
        required=False, allow_null=True, help_text="Reply to this item (replies are comments)."
    )
    body = serializers.CharField(max_length=services.MAX_NOTE, required=False, allow_blank=True)
    proposed_text = serializers.CharField(
        max_length=services.MAX_TEXT, required=False, allow_blank=True
    )


class DecideSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
    reason = serializers.CharField(max_length=services.MAX_NOTE, allow_blank=True)


class EndorsementSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    partner = serializers.UUIDField(source="partner.uid", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Endorsement
        fields = [
            "version",
            "partner",
            "partner_name",
            "stance",
            "reservations",
            "reason",
            "recorded_by",
            "updated_at",
        ]
        read_only_fields = fields


class EndorseSerializer(StrictSerializer):
    stance = serializers.ChoiceField(choices=Stance.choices)
    reservations = serializers.CharField(
        max_length=services.MAX_NOTE,
        required=False,
        allow_blank=True,
        help_text="Required when the stance is reservations.",
    )
    reason = serializers.CharField(
        max_length=services.MAX_NOTE,
        required=False,
        allow_blank=True,
        help_text="Why not; required when the stance is declined.",
    )


# --- Helpers ---------------------------------------------------------------------------------


def _is_member(request, initiative) -> bool:
    return request.user.has_perm("agenda.view", initiative)


def _version_or_404(request, initiative, number) -> AgendaVersion:
    version = selectors.version_get(initiative, int(number))
    if version.status != VersionStatus.ADOPTED and not _is_member(request, initiative):
        raise Http404("No such agenda version.")
    return version


def _partner(initiative, uid, field: str) -> Partner | None:
    if uid is None:
        return None
    partner = Partner.objects.filter(initiative=initiative, uid=uid).first()
    if partner is None:
        raise ApplicationError(
            "No such partner in this initiative.", errors={field: ["Unknown partner."]}
        )
    return partner


def _node(version, uid, field: str) -> OutcomeNode | None:
    if uid is None:
        return None
    node = OutcomeNode.objects.filter(version=version, outcome__uid=uid).first()
    if node is None:
        raise ApplicationError(
            "No such outcome in this version.", errors={field: ["Unknown outcome."]}
        )
    return node


def _with_parent_uids(nodes):
    by_pk = {n.pk: n for n in nodes}
    for n in nodes:
        n.parent_uid = by_pk[n.parent_id].outcome.uid if n.parent_id in by_pk else None
    return nodes


# --- Versions --------------------------------------------------------------------------------


class AgendaVersionViewSet(viewsets.GenericViewSet):
    """Versions of the agenda, newest first, by `number`. Transitions are POST actions."""

    serializer_class = AgendaVersionSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "agenda.read_public"
    write_perm = "agenda.manage"
    lookup_field = "number"
    lookup_value_regex = r"\d+"
    queryset = AgendaVersion.objects.none()

    def get_queryset(self):
        qs = selectors.version_list(self.initiative)
        if not _is_member(self.request, self.initiative):
            qs = qs.filter(status=VersionStatus.ADOPTED)
        return qs

    def get_object(self):
        return _version_or_404(self.request, self.initiative, self.kwargs["number"])

    def list(self, request, slug=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug=None, number=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=VersionCreateSerializer, responses={201: AgendaVersionSerializer})
    def create(self, request, slug=None):
        data = VersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.agenda_draft_create(
            actor=request.user, initiative=self.initiative, **data.validated_data
        )
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VersionUpdateSerializer, responses=AgendaVersionSerializer)
    def partial_update(self, request, slug=None, number=None):
        version = self.get_object()
        data = VersionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        revision = fields.pop("revision")
        services.agenda_update(actor=request.user, version=version, revision=revision, **fields)
        return Response(self.get_serializer(version).data)

    @extend_schema(request=None, responses=AgendaVersionSerializer)
    @action(detail=True, methods=["post"], url_path="open-consultation")
    def open_consultation(self, request, slug=None, number=None):
        version = services.consultation_open(actor=request.user, version=self.get_object())
        return Response(self.get_serializer(version).data)

    @extend_schema(request=None, responses=AgendaVersionSerializer)
    @action(detail=True, methods=["post"], url_path="close-consultation")
    def close_consultation(self, request, slug=None, number=None):
        version = services.consultation_close(actor=request.user, version=self.get_object())
        return Response(self.get_serializer(version).data)

    @extend_schema(request=AdoptSerializer, responses=AgendaVersionSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, slug=None, number=None):
        data = AdoptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.agenda_adopt(
            actor=request.user, version=self.get_object(), **data.validated_data
        )
        return Response(self.get_serializer(version).data)


# --- Outcomes --------------------------------------------------------------------------------


_UID = OpenApiParameter("uid", OpenApiTypes.UUID, OpenApiParameter.PATH)


@extend_schema_view(
    retrieve=extend_schema(parameters=[_UID]),
    partial_update=extend_schema(parameters=[_UID]),
    destroy=extend_schema(parameters=[_UID]),
)
class OutcomeViewSet(viewsets.GenericViewSet):
    """The outcome tree, flat in tree order (`parent` and `depth` give the shape).

    Reads the current version (adopted, else the latest draft) or `?version=<number>`.
    Writes change the working draft and need its `revision`.
    """

    serializer_class = OutcomeNodeSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "agenda.read_public"
    write_perm = "agenda.manage"
    lookup_field = "uid"
    lookup_value_regex = UUID_PATTERN  # anything else is an unknown address (404), not a 500
    queryset = OutcomeNode.objects.none()

    def _read_version(self):
        number = self.request.query_params.get("version")
        if number:
            if not number.isdigit():
                raise ApplicationError("`version` is a version number.")
            return _version_or_404(self.request, self.initiative, number)
        if _is_member(self.request, self.initiative):
            return selectors.version_current(self.initiative)
        return selectors.version_adopted(self.initiative)

    def _working(self):
        version = selectors.version_working(self.initiative)
        if version is None:
            raise ApplicationError(
                "There is no working draft: start one (POST agenda/) first.",
                code="no_draft",
                kind=NOT_FOUND,
            )
        return version

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="Version number")],
        responses=OutcomeNodeSerializer(many=True),
    )
    def list(self, request, slug=None):
        nodes = _with_parent_uids(selectors.outcome_tree(self._read_version()))
        page = self.paginate_queryset(nodes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("version", int, description="Version number")])
    def retrieve(self, request, slug=None, uid=None):
        version = self._read_version()
        if version is None:
            raise Http404("No agenda version yet.")
        nodes = _with_parent_uids(selectors.outcome_tree(version))
        node = next((n for n in nodes if str(n.outcome.uid) == str(uid)), None)
        if node is None:
            raise Http404("No such outcome in this version.")
        return Response(self.get_serializer(node).data)

    def _fields(self, data, version) -> dict:
        fields = {}
        for name in ("statement", "description", "horizon"):
            if name in data:
                fields[name] = data[name]
        if "lead_partner" in data:
            fields["lead_partner"] = _partner(self.initiative, data["lead_partner"], "lead_partner")
        if "co_partners" in data:
            fields["co_partners"] = [
                _partner(self.initiative, uid, "co_partners") for uid in data["co_partners"]
            ]
        return fields

    @extend_schema(request=OutcomeWriteSerializer, responses={201: OutcomeNodeSerializer})
    def create(self, request, slug=None):
        version = self._working()
        data = OutcomeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "statement" not in values:
            raise ApplicationError("Say what the outcome is.", errors={"statement": ["Required."]})
        node = services.outcome_add(
            actor=request.user,
            version=version,
            revision=values["revision"],
            parent=_node(version, values.get("parent"), "parent"),
            **self._fields(values, version),
        )
        return Response(self.get_serializer(node).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OutcomeWriteSerializer, responses=OutcomeNodeSerializer)
    def partial_update(self, request, slug=None, uid=None):
        version = self._working()
        node = _node(version, uid, "uid")
        data = OutcomeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        revision = values["revision"]
        fields = self._fields(values, version)
        parent = _node(version, values.get("parent"), "parent")
        # One request, one change: a refused move must not leave the rewording saved.
        with transaction.atomic():
            if fields:
                services.outcome_update(actor=request.user, node=node, revision=revision, **fields)
                version.refresh_from_db()
                revision = version.revision
            if "parent" in values and parent != node.parent:
                services.outcome_move(
                    actor=request.user, node=node, revision=revision, parent=parent
                )
        node.refresh_from_db()
        return Response(self.get_serializer(node).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "revision", int, description="The draft's revision (or send it in the body)"
            )
        ]
    )
    def destroy(self, request, slug=None, uid=None):
        version = self._working()
        node = _node(version, uid, "uid")
        services.outcome_remove(
            actor=request.user,
            node=node,
            revision=request.query_params.get("revision")
            or (request.data.get("revision") if isinstance(request.data, dict) else None),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Consultation items ----------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=list(ItemKind.values))],
    )
)
class ConsultationItemList(generics.ListAPIView):
    """Comments, amendments, concerns and support on a version; contributors post them."""

    serializer_class = ConsultationItemSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "agenda.view"
    write_perm = "agenda.take_part"
    queryset = ConsultationItem.objects.none()

    def get_queryset(self):
        version = selectors.version_get(self.initiative, self.kwargs["number"])
        items = ConsultationItem.objects.filter(version=version).select_related(
            "parent", "outcome", "author", "partner"
        )
        kind = self.request.query_params.get("kind")
        if kind:
            items = items.filter(kind=kind)
        return items.order_by("created_at", "id")

    @extend_schema(request=ItemCreateSerializer, responses={201: ConsultationItemSerializer})
    def post(self, request, slug=None, number=None):
        version = selectors.version_get(self.initiative, number)
        data = ItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        parent = None
        if values.get("parent"):
            parent = ConsultationItem.objects.filter(version=version, uid=values["parent"]).first()
            if parent is None:
                raise ApplicationError(
                    "No such item in this consultation.", errors={"parent": ["Unknown item."]}
                )
        outcome = None
        if values.get("outcome"):
            node = _node(version, values["outcome"], "outcome")
            outcome = node.outcome
        item = services.item_create(
            actor=request.user,
            version=version,
            kind=values["kind"],
            section=values.get("section", Section.OUTCOME if outcome else ""),
            outcome=outcome,
            body=values.get("body", ""),
            proposed_text=values.get("proposed_text", ""),
            parent=parent,
        )
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)


class ConsultationItemDecide(generics.GenericAPIView):
    """The backbone accepts (applies to the draft) or declines an amendment, with a reason."""

    serializer_class = ConsultationItemSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "agenda.view"
    write_perm = "agenda.manage"
    queryset = ConsultationItem.objects.none()

    @extend_schema(request=DecideSerializer, responses=ConsultationItemSerializer)
    def post(self, request, slug=None, number=None, uid=None):
        version = selectors.version_get(self.initiative, number)
        item = ConsultationItem.objects.filter(version=version, uid=uid).first()
        if item is None:
            raise Http404("No such consultation item.")
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.amendment_decide(
            actor=request.user,
            item=item,
            accept=data.validated_data["decision"] == "accept",
            reason=data.validated_data["reason"],
        )
        return Response(self.get_serializer(item).data)


# --- Endorsements ----------------------------------------------------------------------------


class EndorsementList(generics.ListAPIView):
    """Where partners stand on a version; a partner lead records their partner's stance."""

    serializer_class = EndorsementSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "agenda.view"
    write_perm = "agenda.endorse"
    queryset = Endorsement.objects.none()

    def get_queryset(self):
        version = selectors.version_get(self.initiative, self.kwargs["number"])
        return (
            Endorsement.objects.filter(version=version)
            .select_related("version", "partner", "recorded_by")
            .order_by("partner__name", "id")
        )

    @extend_schema(request=EndorseSerializer, responses=EndorsementSerializer)
    def post(self, request, slug=None, number=None):
        version = selectors.version_get(self.initiative, number)
        data = EndorseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_for(request.user, self.initiative)
        endorsement = services.endorsement_record(
            actor=request.user,
            version=version,
            partner=membership.partner,
            **data.validated_data,
        )
        return Response(self.get_serializer(endorsement).data)


_router = SimpleRouter(trailing_slash=True)
_router.register("agenda", AgendaVersionViewSet, basename="agenda-version")
_router.register("outcomes", OutcomeViewSet, basename="outcome")

initiative_urlpatterns = [
    *_router.urls,
    path("agenda/<int:number>/items/", ConsultationItemList.as_view(), name="agenda-item-list"),
    path(
        "agenda/<int:number>/items/<uuid:uid>/decide/",
        ConsultationItemDecide.as_view(),
        name="agenda-item-decide",
    ),
    path(
        "agenda/<int:number>/endorsements/",
        EndorsementList.as_view(),
        name="agenda-endorsement-list",
    ),
]
