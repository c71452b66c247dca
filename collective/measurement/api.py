"""API of shared measurement: indicators (by code) and their series, observations (POST one
object or a list: one atomic bulk upsert with per-row errors), targets, reporting duties."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from collective.agenda.models import Outcome
from collective.core.api.permissions import InitiativeScoped
from collective.core.models import Partner

from . import selectors, services
from .choices import ObservationStatus, Source
from .filters import (
    AssignmentFilter,
    IndicatorFilter,
    InitiativeFilterBackend,
    ObservationFilter,
    TargetFilter,
)
from .models import Indicator, Observation, ReportingAssignment, Target


class _InitiativeSlugField(serializers.SlugRelatedField):
    """A related object of the request's initiative, by its uid (or code)."""

    def get_queryset(self):
        view = self.context.get("view")
        initiative = getattr(view, "initiative", None)
        return super().get_queryset().filter(initiative=initiative)


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    reason = serializers.CharField()
    latest_period = serializers.CharField()
    latest_value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    target_period = serializers.CharField()
    target_value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    forecast_value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    updated_at = serializers.DateTimeField()


class IndicatorSerializer(serializers.ModelSerializer):
    outcomes = _InitiativeSlugField(
        slug_field="uid", many=True, queryset=Outcome.objects.all(), required=False
    )
    owner_partner = _InitiativeSlugField(
        slug_field="uid", queryset=Partner.objects.all(), required=False, allow_null=True
    )
    breakdown_values = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        max_length=services.BREAKDOWN_VALUES_MAX,
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "uid",
            "code",
            "name",
            "definition",
            "unit",
            "value_type",
            "direction",
            "level",
            "rba_question",
            "frequency",
            "aggregation",
            "cumulative",
            "formula",
            "outcomes",
            "owner_partner",
            "data_source",
            "min_value",
            "max_value",
            "breakdown_dimension",
            "breakdown_values",
            "baseline_value",
            "baseline_period",
            "decimals",
            "is_public",
            "archived",
            "status",
        ]
        read_only_fields = ["uid", "archived", "status"]
        # The services check uniqueness and every rule, with clear messages.
        validators = []
        extra_kwargs = {"code": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not _is_member(self.context):
            data["owner_partner"] = None  # the public page does not name partners either
        return data

    @extend_schema(exclude=True)
    def get_status(self, obj) -> dict | None:
        stat = selectors.collective_status(obj)
        return StatusSerializer(stat).data if stat else None


class IndicatorViewSet(viewsets.ModelViewSet):
    """Indicators of the initiative, looked up by `code`. Everyone who may see the initiative's
    measures reads (anonymous visitors: public indicators of public initiatives); the backbone
    creates and changes them; DELETE archives."""

    serializer_class = IndicatorSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "measurement.view_public_measures"
    write_perm = "measurement.manage_indicators"
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filter_backends = [InitiativeFilterBackend]
    filterset_class = IndicatorFilter
    queryset = Indicator.objects.none()

    def get_queryset(self):
        archived = self.request.query_params.get("archived") in ("true", "1", "True")
        return selectors.indicator_list(self.initiative, self.request.user, archived=archived)

    def get_object(self):
        indicator = selectors.indicator_get(self.initiative, self.kwargs["code"], self.request.user)
        self.check_object_permissions(self.request, indicator)
        return indicator

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        indicator = services.indicator_create(
            actor=request.user,
            initiative=self.initiative,
            code=data.pop("code"),
            name=data.pop("name"),
            **data,
        )
        return Response(self.get_serializer(indicator).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        indicator = self.get_object()
        serializer = self.get_serializer(
            indicator, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        services.indicator_update(
            actor=request.user, indicator=indicator, **serializer.validated_data
        )
        return Response(self.get_serializer(indicator).data)

    def destroy(self, request, *args, **kwargs):
        services.indicator_archive(actor=request.user, indicator=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope", str, description="A partner's uid (default: everyone; members only)."
            ),
            OpenApiParameter(
                "by",
                str,
                enum=["collective", "partner", "breakdown"],
                description="`partner`: one column per partner (members only).",
            ),
        ],
        responses={200: dict},
    )
    @action(detail=True, methods=["get"])
    def series(self, request, slug=None, code=None):
        """Per period: the value, each partner's or breakdown value's, the target and status;
        plus the baseline, the forecast and the baseline forecast."""
        indicator = self.get_object()
        wants_partners = "scope" in request.query_params or request.query_params.get("by") == (
            "partner"
        )
        if wants_partners and not _is_member({"request": request, "view": self}):
            # The public sees the shared result, never a partner's own numbers.
            raise PermissionDenied("Figures per partner are for members of the initiative.")
        scope = None
        if uid := request.query_params.get("scope"):
            scope = _partner_by_uid(self.initiative, uid)
        by = request.query_params.get("by", "collective")
        if by not in ("collective", "partner", "breakdown"):
            raise ValidationError({"by": ["Use collective, partner or breakdown."]})
        return Response(selectors.series(indicator, scope=scope, by=by))


def _is_member(context) -> bool:
    request, view = context.get("request"), context.get("view")
    initiative = getattr(view, "initiative", None)
    return bool(request and request.user.has_perm("measurement.view_measures", initiative))


def _partner_by_uid(initiative, uid) -> Partner:
    import uuid

    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise ValidationError({"scope": ["Give a partner's uid."]}) from None
    partner = Partner.objects.filter(initiative=initiative, uid=key).first()
    if partner is None:
        raise ValidationError({"scope": ["No such partner in this initiative."]})
    return partner


class ObservationSerializer(serializers.Serializer):
    """A reported value. Its fields are declared rather than read from the model: the API
    answers every value written one at a time with one, and a ModelSerializer works out its
    fields from the model for each instance (a test keeps the two outputs equal)."""

    uid = serializers.UUIDField(read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    partner = serializers.UUIDField(source="partner.uid", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    period = serializers.CharField(read_only=True)
    period_start = serializers.DateField(read_only=True)
    breakdown = serializers.CharField(read_only=True)
    value = serializers.DecimalField(
        max_digits=24, decimal_places=6, read_only=True, allow_null=True
    )
    numerator = serializers.DecimalField(
        max_digits=24, decimal_places=6, read_only=True, allow_null=True
    )
    denominator = serializers.DecimalField(
        max_digits=24, decimal_places=6, read_only=True, allow_null=True
    )
    note = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ObservationStatus.choices, read_only=True)
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)
    submitted_by = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    review_comment = serializers.CharField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_submitted_by(self, obj) -> str | None:
        return obj.submitted_by.username if obj.submitted_by_id else None


class ObservationRowSerializer(serializers.Serializer):
    """One row of POST /observations/ (documentation: rows are checked by the service)."""

    indicator = serializers.CharField(help_text="The indicator's code.")
    partner = serializers.CharField(help_text="The partner's uid or name.")
    period = serializers.CharField(help_text="A period code (2026-11, 2026-Q3...) or a date.")
    breakdown = serializers.CharField(required=False, allow_blank=True)
    value = serializers.DecimalField(max_digits=24, decimal_places=6, required=False)
    numerator = serializers.DecimalField(max_digits=24, decimal_places=6, required=False)
    denominator = serializers.DecimalField(max_digits=24, decimal_places=6, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ObservationReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true approves, false returns the value.")
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="Required when returning."
    )


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


ROW_KEYS = {"indicator", "code", "partner", "period", "breakdown", "value", "numerator",
            "denominator", "note"}  # fmt: skip


class ObservationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Reported values. GET lists them (filtered, paginated). POST one object or a list: one
    atomic upsert — with any invalid row nothing is saved and the answer (400) lists the errors
    row by row; `?only_valid=true` saves the valid rows and returns the errors."""

    serializer_class = ObservationSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "measurement.view_measures"
    write_perm = "measurement.enter_data"
    object_write_perm = "measurement.delete_observation"
    lookup_field = "uid"
    filter_backends = [InitiativeFilterBackend]
    filterset_class = ObservationFilter
    queryset = Observation.objects.none()

    def get_queryset(self):
        return selectors.observation_list(self.initiative)

    @extend_schema(
        request=ObservationRowSerializer(many=True), responses={200: BulkResultSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = request.data
        single = isinstance(data, dict)
        rows = [data] if single else data
        if not isinstance(rows, list):
            raise ValidationError({"rows": ["Send one object or a list of objects."]})
        rows = [
            {k: v for k, v in row.items() if k in ROW_KEYS} if isinstance(row, dict) else row
            for row in rows
        ]
        only_valid = request.query_params.get("only_valid") in ("true", "1", "True")
        result = services.observations_upsert(
            actor=request.user,
            initiative=self.initiative,
            rows=rows,
            source=Source.API,
            only_valid=only_valid,
        )
        body = result.as_dict()
        if single and result.observation is not None:
            body["observation"] = ObservationSerializer(result.observation).data
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)

    def destroy(self, request, *args, **kwargs):
        services.observation_delete(actor=request.user, observation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ObservationReviewSerializer, responses={200: ObservationSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, slug=None, uid=None):
        """Approve (`{"approve": true}`) or return (`{"approve": false, "comment": ...}`)."""
        observation = self.get_object()
        if not request.user.has_perm("measurement.review_observation", observation):
            self.permission_denied(request, message="Only the backbone reviews values.")
        data = ObservationReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.observation_review(
            actor=request.user,
            observation=observation,
            approve=data.validated_data["approve"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(ObservationSerializer(observation).data)


class TargetSerializer(serializers.ModelSerializer):
    indicator = _InitiativeSlugField(slug_field="code", queryset=Indicator.objects.all())
    partner = _InitiativeSlugField(
        slug_field="uid", queryset=Partner.objects.all(), required=False, allow_null=True
    )
    period = serializers.CharField(max_length=20)

    class Meta:
        model = Target
        fields = ["id", "indicator", "period", "partner", "value"]
        read_only_fields = ["id"]
        validators = []


class TargetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Targets (collective when `partner` is null). POST sets (creates or replaces) one."""

    serializer_class = TargetSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "measurement.view_measures"
    write_perm = "measurement.manage_indicators"
    filter_backends = [InitiativeFilterBackend]
    filterset_class = TargetFilter
    queryset = Target.objects.none()

    def get_queryset(self):
        return selectors.target_list(self.initiative)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = services.target_set(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(target).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.target_delete(actor=request.user, target=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssignmentSerializer(serializers.ModelSerializer):
    indicator = _InitiativeSlugField(slug_field="code", queryset=Indicator.objects.all())
    partner = _InitiativeSlugField(slug_field="uid", queryset=Partner.objects.all())

    class Meta:
        model = ReportingAssignment
        fields = ["id", "indicator", "partner", "due_days", "starts_period", "active"]
        read_only_fields = ["id"]
        validators = []


class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Reporting duties: which partner reports which indicator, due how many days after each
    period ends. POST creates or updates the duty of that indicator and partner."""

    serializer_class = AssignmentSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "measurement.view_measures"
    write_perm = "measurement.manage_indicators"
    filter_backends = [InitiativeFilterBackend]
    filterset_class = AssignmentFilter
    queryset = ReportingAssignment.objects.none()

    def get_queryset(self):
        return selectors.assignment_list(self.initiative)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.assignment_set(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.assignment_delete(actor=request.user, assignment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


_router = SimpleRouter(trailing_slash=True)
_router.register("indicators", IndicatorViewSet, basename="indicator")
_router.register("observations", ObservationViewSet, basename="observation")
_router.register("targets", TargetViewSet, basename="target")
_router.register("assignments", AssignmentViewSet, basename="assignment")
initiative_urlpatterns = _router.urls
