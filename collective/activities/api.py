"""API of mutually reinforcing activities, under /api/v1/initiatives/<slug>/.

Same rules as the pages: members read; partner leads manage their partner's activities and
claims; contributors record progress; another partner's lead (or the backbone) reviews claims;
the backbone manages capabilities, overlap decisions and survey rounds.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from collective.agenda.models import Outcome
from collective.core.api.permissions import InitiativeScoped
from collective.core.api.serializers import StrictSerializer
from collective.core.errors import ApplicationError
from collective.core.http import is_uuid
from collective.core.models import Partner
from collective.core.rules import membership_for
from collective.measurement.models import Indicator

from . import gaps, network, selectors, services, similarity
from .alignment import alignment_matrix
from .choices import (
    ActivityStatus,
    Collaboration,
    Lever,
    OverlapDecisionKind,
    Strength,
    Verdict,
)
from .filters import ActivityFilter, ContributionFilter
from .models import Activity, Contribution

# --- Serializers -----------------------------------------------------------------------------


# Inline enums: "status" is also an indicator's and an observation's field, and one shared
# component name would clash.
@extend_schema_field({"type": "string", "enum": ActivityStatus.values})
class ActivityStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ActivityStatus.choices, **kwargs)


class ActivitySerializer(serializers.ModelSerializer):
    partner = serializers.UUIDField(source="partner.uid", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    lead_person = serializers.CharField(source="lead_person.username", read_only=True, default=None)
    supporting_partners = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "uid",
            "partner",
            "partner_name",
            "title",
            "description",
            "status",
            "lever",
            "start",
            "end",
            "lead_person",
            "supporting_partners",
            "percent_complete",
            "budget",
            "funder",
            "measures",
            "waiting_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_supporting_partners(self, obj) -> list[str]:
        return [str(p.uid) for p in obj.supporting_partners.all()]

    def get_measures(self, obj) -> list[str]:
        return [i.code for i in obj.measures.all()]


class ActivityWriteSerializer(StrictSerializer):
    partner = serializers.UUIDField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    status = ActivityStatusField(required=False)
    lever = serializers.ChoiceField(choices=Lever.choices, required=False)
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    lead_person = serializers.CharField(required=False, allow_null=True, help_text="username")
    supporting_partners = serializers.ListField(child=serializers.UUIDField(), required=False)
    percent_complete = serializers.IntegerField(required=False)
    budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    funder = serializers.CharField(required=False, allow_blank=True)
    measures = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Indicator codes (level activity or output).",
    )


class ProgressSerializer(StrictSerializer):
    note = serializers.CharField()
    date = serializers.DateField(required=False)
    percent_complete = serializers.IntegerField(required=False, allow_null=True)


class DependencySerializer(StrictSerializer):
    needs = serializers.UUIDField(help_text="uid of the activity this one needs.")
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewOutSerializer(serializers.Serializer):
    verdict = serializers.CharField()
    comment = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer.username")
    partner = serializers.CharField(source="partner.name", default=None)
    updated_at = serializers.DateTimeField()


class ContributionSerializer(serializers.ModelSerializer):
    activity = serializers.UUIDField(source="activity.uid", read_only=True)
    partner = serializers.UUIDField(source="activity.partner.uid", read_only=True)
    outcome = serializers.UUIDField(source="outcome.uid", read_only=True, default=None)
    indicator = serializers.CharField(source="indicator.code", read_only=True, default=None)
    reviews = ReviewOutSerializer(many=True, read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "uid",
            "activity",
            "partner",
            "outcome",
            "indicator",
            "strength",
            "rationale",
            "evidence",
            "links",
            "alternatives",
            "reviews",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContributionWriteSerializer(StrictSerializer):
    activity = serializers.UUIDField(required=False)
    outcome = serializers.UUIDField(required=False, allow_null=True)
    indicator = serializers.CharField(required=False, allow_null=True)
    strength = serializers.ChoiceField(choices=Strength.choices, required=False)
    rationale = serializers.CharField(required=False)
    evidence = serializers.CharField(required=False, allow_blank=True)
    links = serializers.ListField(child=serializers.CharField(), required=False)
    alternatives = serializers.CharField(required=False, allow_blank=True)


class ReviewSerializer(StrictSerializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comment = serializers.CharField()


class OverlapDecisionSerializer(StrictSerializer):
    first = serializers.UUIDField()
    second = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=OverlapDecisionKind.choices)
    note = serializers.CharField(required=False, allow_blank=True)


class CapabilitySerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)


class RoundSerializer(StrictSerializer):
    uid = serializers.UUIDField(read_only=True)
    title = serializers.CharField(max_length=200)
    status = serializers.CharField(read_only=True)
    opened_on = serializers.DateField(read_only=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)


class AnswerSerializer(StrictSerializer):
    about = serializers.UUIDField()
    collaboration = serializers.ChoiceField(choices=Collaboration.choices)
    reliability = serializers.IntegerField(required=False, allow_null=True)
    mission = serializers.IntegerField(required=False, allow_null=True)
    openness = serializers.IntegerField(required=False, allow_null=True)
    power = serializers.IntegerField(required=False, allow_null=True)
    involvement = serializers.IntegerField(required=False, allow_null=True)
    resources = serializers.IntegerField(required=False, allow_null=True)


class AnswersSerializer(StrictSerializer):
    respondent = serializers.UUIDField(
        required=False,
        help_text="Partner answering (backbone only; a lead answers for their own partner).",
    )
    answers = AnswerSerializer(many=True)


# --- Helpers ---------------------------------------------------------------------------------


def _partner(initiative, uid, field: str) -> Partner:
    partner = Partner.objects.filter(initiative=initiative, uid=uid).first() if uid else None
    if partner is None:
        raise ApplicationError(
            "No such partner in this initiative.", errors={field: ["Unknown partner."]}
        )
    return partner


def _outcome(initiative, uid) -> Outcome | None:
    if uid is None:
        return None
    outcome = Outcome.objects.filter(uid=uid).first()
    if outcome is None:
        raise ApplicationError("No such outcome.", errors={"outcome": ["Unknown outcome."]})
    return outcome  # the service refuses an outcome of another initiative, with a message


def _indicator(initiative, code, field="indicator") -> Indicator | None:
    if code is None:
        return None
    indicator = Indicator.objects.filter(initiative=initiative, code=code).first()
    if indicator is None:
        raise ApplicationError(
            f"No indicator {code} in this initiative.", errors={field: ["Unknown indicator."]}
        )
    return indicator


def _activity_fields(initiative, data: dict) -> dict:
    from django.contrib.auth import get_user_model

    fields = dict(data)
    if "partner" in fields:
        fields["partner"] = _partner(initiative, fields["partner"], "partner")
    if "supporting_partners" in fields:
        fields["supporting_partners"] = [
            _partner(initiative, uid, "supporting_partners")
            for uid in fields["supporting_partners"]
        ]
    if "measures" in fields:
        fields["measures"] = [_indicator(initiative, c, "measures") for c in fields["measures"]]
    if "lead_person" in fields:
        name = fields["lead_person"]
        person = get_user_model().objects.filter(username=name).first() if name else None
        if name and person is None:
            raise ApplicationError("No such person.", errors={"lead_person": ["Unknown user."]})
        fields["lead_person"] = person
    return fields


def _require(request, perm, obj):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


class Scoped:
    permission_classes = [InitiativeScoped]
    read_perm = "activities.view"
    write_perm = "activities.view"  # object-level rules are checked in each write


# --- Activities ------------------------------------------------------------------------------


class ActivityList(Scoped, generics.GenericAPIView):
    """The initiative's activities (filters: q, partner, outcome, status, lever, waiting);
    POST creates one (partner leads for their own partner, the backbone for any)."""

    serializer_class = ActivitySerializer
    write_perm = "activities.add_activity"
    queryset = Activity.objects.none()

    @extend_schema(operation_id="activities_list", responses=ActivitySerializer(many=True))
    def get(self, request, slug):
        qs = selectors.activity_list(self.initiative).prefetch_related(
            "supporting_partners", "measures"
        )
        filterset = ActivityFilter(request.GET, queryset=qs)
        if not filterset.is_valid():
            return Response(
                {
                    "message": "Some filters are not valid.",
                    "code": "invalid",
                    "errors": filterset.errors,
                },
                status=400,
            )
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer})
    def post(self, request, slug):
        data = ActivityWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _activity_fields(self.initiative, data.validated_data)
        if "partner" not in fields:
            membership = membership_for(request.user, self.initiative)
            if membership is None or membership.partner is None:
                raise ApplicationError(
                    "Say which partner owns the activity.", errors={"partner": ["Required."]}
                )
            fields["partner"] = membership.partner
        if "title" not in fields:
            raise ApplicationError("Give the activity a title.", errors={"title": ["Required."]})
        activity = services.activity_create(
            actor=request.user, initiative=self.initiative, **fields
        )
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class ActivityDetail(Scoped, generics.GenericAPIView):
    serializer_class = ActivitySerializer
    queryset = Activity.objects.none()

    def _get(self, uid):
        return selectors.activity_get(self.initiative, uid)

    def get(self, request, slug, uid):
        return Response(ActivitySerializer(self._get(uid)).data)

    @extend_schema(request=ActivityWriteSerializer, responses=ActivitySerializer)
    def patch(self, request, slug, uid):
        activity = self._get(uid)
        _require(request, "activities.change_activity", activity)
        data = ActivityWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _activity_fields(self.initiative, data.validated_data)
        services.activity_update(actor=request.user, activity=activity, **fields)
        return Response(ActivitySerializer(self._get(uid)).data)

    def delete(self, request, slug, uid):
        activity = self._get(uid)
        _require(request, "activities.change_activity", activity)
        services.activity_delete(actor=request.user, activity=activity)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityProgress(Scoped, generics.GenericAPIView):
    """Record progress (contributors of the owning partner, its lead, the backbone)."""

    serializer_class = ProgressSerializer
    queryset = Activity.objects.none()

    @extend_schema(request=ProgressSerializer, responses={201: ActivitySerializer})
    def post(self, request, slug, uid):
        activity = selectors.activity_get(self.initiative, uid)
        _require(request, "activities.update_progress", activity)
        data = ProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.progress_add(actor=request.user, activity=activity, **data.validated_data)
        activity.refresh_from_db()
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class ActivityDependencies(Scoped, generics.GenericAPIView):
    """POST: this activity needs another one (a cycle is refused)."""

    serializer_class = DependencySerializer
    queryset = Activity.objects.none()

    @extend_schema(request=DependencySerializer, responses={201: ActivitySerializer})
    def post(self, request, slug, uid):
        activity = selectors.activity_get(self.initiative, uid)
        _require(request, "activities.change_activity", activity)
        data = DependencySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        needs = Activity.objects.filter(uid=data.validated_data["needs"]).first()
        if needs is None:
            raise ApplicationError("No such activity.", errors={"needs": ["Unknown activity."]})
        services.dependency_add(
            actor=request.user,
            activity=activity,
            needs=needs,
            note=data.validated_data.get("note", ""),
        )
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


# --- Contributions ---------------------------------------------------------------------------


class ContributionList(Scoped, generics.GenericAPIView):
    """Contribution claims (filters: activity, outcome, indicator, partner, strength, verdict);
    POST claims one for an activity."""

    serializer_class = ContributionSerializer
    queryset = Contribution.objects.none()

    @extend_schema(operation_id="contributions_list", responses=ContributionSerializer(many=True))
    def get(self, request, slug):
        filterset = ContributionFilter(request.GET, queryset=selectors.claim_list(self.initiative))
        if not filterset.is_valid():
            return Response(
                {
                    "message": "Some filters are not valid.",
                    "code": "invalid",
                    "errors": filterset.errors,
                },
                status=400,
            )
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(ContributionSerializer(page, many=True).data)

    @extend_schema(request=ContributionWriteSerializer, responses={201: ContributionSerializer})
    def post(self, request, slug):
        data = ContributionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        uid = fields.pop("activity", None)
        if uid is None:
            raise ApplicationError(
                "Say which activity claims it.", errors={"activity": ["Required."]}
            )
        activity = selectors.activity_get(self.initiative, uid)
        _require(request, "activities.change_activity", activity)
        fields["outcome"] = _outcome(self.initiative, fields.get("outcome"))
        fields["indicator"] = _indicator(self.initiative, fields.get("indicator"))
        if "rationale" not in fields:
            raise ApplicationError(
                "Give the rationale: how the activity contributes.",
                errors={"rationale": ["Required."]},
            )
        claim = services.claim_create(actor=request.user, activity=activity, **fields)
        return Response(ContributionSerializer(claim).data, status=status.HTTP_201_CREATED)


class ContributionDetail(Scoped, generics.GenericAPIView):
    serializer_class = ContributionSerializer
    queryset = Contribution.objects.none()

    def get(self, request, slug, uid):
        return Response(ContributionSerializer(selectors.claim_get(self.initiative, uid)).data)

    @extend_schema(request=ContributionWriteSerializer, responses=ContributionSerializer)
    def patch(self, request, slug, uid):
        claim = selectors.claim_get(self.initiative, uid)
        _require(request, "activities.change_activity", claim.activity)
        data = ContributionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "activity" in fields:
            raise ApplicationError(
                "A claim cannot move to another activity.", errors={"activity": ["Read-only."]}
            )
        if "outcome" in fields:
            fields["outcome"] = _outcome(self.initiative, fields["outcome"])
        if "indicator" in fields:
            fields["indicator"] = _indicator(self.initiative, fields["indicator"])
        services.claim_update(actor=request.user, claim=claim, **fields)
        return Response(ContributionSerializer(selectors.claim_get(self.initiative, uid)).data)

    def delete(self, request, slug, uid):
        claim = selectors.claim_get(self.initiative, uid)
        _require(request, "activities.change_activity", claim.activity)
        services.claim_remove(actor=request.user, claim=claim)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContributionReview(Scoped, generics.GenericAPIView):
    """Mark a claim substantiated or contested (another partner's lead, or the backbone)."""

    serializer_class = ReviewSerializer
    queryset = Contribution.objects.none()

    @extend_schema(request=ReviewSerializer, responses={201: ContributionSerializer})
    def post(self, request, slug, uid):
        claim = selectors.claim_get(self.initiative, uid)
        _require(request, "activities.review_claim", claim.activity)
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_review(actor=request.user, claim=claim, **data.validated_data)
        return Response(
            ContributionSerializer(selectors.claim_get(self.initiative, uid)).data,
            status=status.HTTP_201_CREATED,
        )


# --- Analyses --------------------------------------------------------------------------------


class AlignmentView(Scoped, APIView):
    """The alignment matrix: one row per partner and outcome with activities."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug):
        matrix = alignment_matrix(self.initiative)
        partners = {p.pk: p for p in matrix.partners}
        outcomes = {o.pk: o for o, _d in matrix.outcomes}
        cells = [
            {
                "partner": str(partners[p].uid),
                "partner_name": partners[p].name,
                "outcome": str(outcomes[o].uid),
                "outcome_title": outcomes[o].title,
                "activities": c.activities,
                "direct": c.direct,
                "indirect": c.indirect,
                "substantiated": c.substantiated,
                "contested": c.contested,
            }
            for (p, o), c in sorted(matrix.cells.items())
            if p in partners and o in outcomes
        ]
        return Response(
            {
                "outcomes": [
                    {"uid": str(o.uid), "title": o.title, "depth": d} for o, d in matrix.outcomes
                ],
                "partners": [{"uid": str(p.uid), "name": p.name} for p in matrix.partners],
                "cells": cells,
            }
        )


class GapsView(Scoped, APIView):
    """Gaps with next steps and suggested partners; `?leaves=<partner uid>` adds what-if."""

    @extend_schema(
        parameters=[OpenApiParameter("leaves", OpenApiTypes.UUID, required=False)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug):
        cov = gaps.coverage(self.initiative)
        found = gaps.gap_list(self.initiative, cov)
        body = {
            "gaps": [
                {
                    "kind": g.kind,
                    "title": g.title,
                    "detail": g.detail,
                    "next_step": g.next_step,
                    "url": g.url,
                    "subject": g.subject_uid,
                    "suggestions": [
                        {"partner": str(s.partner.uid), "name": s.partner.name, "reason": s.reason}
                        for s in g.suggestions
                    ],
                }
                for g in found
            ]
        }
        leaves = request.GET.get("leaves", "")
        if leaves:
            partner = _partner(self.initiative, leaves if is_uuid(leaves) else None, "leaves")
            w = gaps.what_if(self.initiative, partner, cov)
            body["what_if"] = {
                "partner": str(partner.uid),
                "lost": [str(o.uid) for o in w.lost],
                "weakened": [str(o.uid) for o in w.weakened],
                "stranded": [str(a.uid) for a in w.stranded],
                "components_before": w.components_before,
                "components_after": w.components_after,
            }
        return Response(body)


class OverlapsView(Scoped, APIView):
    """GET: pairs of activities of different partners that look alike (`?threshold=0.45`),
    without the pairs marked "not an overlap" (unless rewritten since). POST (backbone): a
    decision on a pair."""

    write_perm = "activities.manage"

    @extend_schema(
        parameters=[OpenApiParameter("threshold", OpenApiTypes.FLOAT, required=False)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug):
        threshold = services.check_threshold(
            request.GET.get("threshold") or similarity.DEFAULT_THRESHOLD
        )
        found = selectors.overlap_pairs(self.initiative, threshold)
        pending, coordinating, dismissed = selectors.overlap_rows(self.initiative, found.pairs)

        def row(r):
            return {
                "first": str(r["a"].uid),
                "second": str(r["b"].uid),
                "score": r["score"],
                "words": r["words"],
                "chars": r["chars"],
                "outcomes": r["outcomes"],
                "dates": r["dates"],
                "shared_words": r["shared_words"],
                "decision": r["decision"].decision if r["decision"] else None,
            }

        return Response(
            {
                "threshold": threshold,
                "computed": "now" if found.live else "latest background scan",
                "scan": (
                    {
                        "uid": str(found.scan.uid),
                        "state": found.scan.state,
                        "finished_at": found.scan.finished_at,
                    }
                    if found.scan
                    else None
                ),
                "pairs": [row(r) for r in pending],
                "coordinating": [row(r) for r in coordinating],
                "dismissed": dismissed,
            }
        )

    @extend_schema(request=OverlapDecisionSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, slug):
        data = OverlapDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        first = selectors.activity_get(self.initiative, v["first"])
        second = selectors.activity_get(self.initiative, v["second"])
        record = services.overlap_decide(
            actor=request.user,
            first=first,
            second=second,
            decision=v["decision"],
            note=v.get("note", ""),
        )
        return Response(
            {
                "first": str(record.first.uid),
                "second": str(record.second.uid),
                "decision": record.decision,
                "note": record.note,
            },
            status=status.HTTP_201_CREATED,
        )


class NetworkView(Scoped, APIView):
    """The partner network: `?view=evidence` (default) or `?view=survey&round=<uid>`."""

    @extend_schema(
        parameters=[
            OpenApiParameter("view", OpenApiTypes.STR, required=False, enum=["evidence", "survey"]),
            OpenApiParameter("round", OpenApiTypes.UUID, required=False),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug):
        kind = request.GET.get("view", "evidence")
        if kind not in ("evidence", "survey"):
            raise ApplicationError(
                "view is evidence or survey.", errors={"view": ["Unknown view."]}
            )
        mismatches = None
        if kind == "survey":
            uid = request.GET.get("round", "")
            survey = (
                selectors.round_list(self.initiative).filter(uid=uid).first()
                if is_uuid(uid)
                else None
            )
            if survey is None:
                raise ApplicationError(
                    "Say which survey round.", errors={"round": ["Unknown round."]}
                )
            view = network.survey_network(self.initiative, survey)
            mismatches = [
                {
                    "first": str(m.first.uid),
                    "second": str(m.second.uid),
                    "kind": m.kind,
                    "detail": m.detail,
                }
                for m in network.mismatches(self.initiative, survey)
            ]
        else:
            view = network.evidence_network(self.initiative)
        m = view.measures
        body = {
            "view": kind,
            "density": round(m.density, 4),
            "centralisation": round(m.centralisation, 4),
            "nodes": m.nodes,
            "edges": m.edges,
            "betweenness_estimated": m.estimated,
            "partners": [
                {
                    "uid": str(r.partner.uid),
                    "name": r.partner.name,
                    "degree": r.degree,
                    "betweenness": round(r.betweenness, 4),
                    "trust": r.trust,
                    "value": r.value,
                }
                for r in view.rows
            ],
            "ties": [
                {
                    "first": str(a.uid),
                    "second": str(b.uid),
                    "kinds": t if kind == "evidence" else None,
                }
                for a, b, t in view.edges
            ],
        }
        if mismatches is not None:
            body["mismatches"] = mismatches
        return Response(body)


# --- Capabilities and survey rounds ----------------------------------------------------------


class CapabilityList(Scoped, APIView):
    write_perm = "activities.manage"

    @extend_schema(responses=CapabilitySerializer(many=True))
    def get(self, request, slug):
        return Response(
            [
                {"id": c.pk, "name": c.name, "description": c.description}
                for c in selectors.capability_list(self.initiative)
            ]
        )

    @extend_schema(request=CapabilitySerializer, responses={201: CapabilitySerializer})
    def post(self, request, slug):
        data = CapabilitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        c = services.capability_create(
            actor=request.user, initiative=self.initiative, **data.validated_data
        )
        return Response(
            {"id": c.pk, "name": c.name, "description": c.description},
            status=status.HTTP_201_CREATED,
        )


def _round_out(r) -> dict:
    return {
        "uid": str(r.uid),
        "title": r.title,
        "status": r.status,
        "opened_on": r.opened_on,
        "closed_on": r.closed_on,
    }


class RoundList(Scoped, APIView):
    write_perm = "activities.manage"

    @extend_schema(responses=RoundSerializer(many=True))
    def get(self, request, slug):
        return Response([_round_out(r) for r in selectors.round_list(self.initiative)])

    @extend_schema(request=RoundSerializer, responses={201: RoundSerializer})
    def post(self, request, slug):
        data = RoundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        r = services.round_open(
            actor=request.user, initiative=self.initiative, **data.validated_data
        )
        return Response(_round_out(r), status=status.HTTP_201_CREATED)


class RoundAnswers(Scoped, APIView):
    """POST a partner's answers about the partners it works with (all checked, then saved)."""

    write_perm = "activities.answer_survey"

    @extend_schema(request=AnswersSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, slug, uid):
        survey = selectors.round_get(self.initiative, uid)
        data = AnswersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v.get("respondent"):
            respondent = _partner(self.initiative, v["respondent"], "respondent")
        else:
            membership = membership_for(request.user, self.initiative)
            respondent = membership.partner if membership else None
            if respondent is None:
                raise ApplicationError(
                    "Say which partner answers.", errors={"respondent": ["Required."]}
                )
        answers = []
        for index, a in enumerate(v["answers"]):
            about = Partner.objects.filter(uid=a["about"]).first()
            if about is None:
                raise ApplicationError(
                    "No such partner.", errors={f"answers[{index}].about": ["Unknown partner."]}
                )
            answers.append({**a, "about": about})
        count = services.survey_answer(
            actor=request.user, survey=survey, respondent=respondent, answers=answers
        )
        return Response({"saved": count}, status=status.HTTP_201_CREATED)


initiative_urlpatterns = [
    path("activities/", ActivityList.as_view(), name="activities-list"),
    path("activities/<uuid:uid>/", ActivityDetail.as_view(), name="activities-detail"),
    path("activities/<uuid:uid>/progress/", ActivityProgress.as_view(), name="activities-progress"),
    path(
        "activities/<uuid:uid>/dependencies/",
        ActivityDependencies.as_view(),
        name="activities-dependencies",
    ),
    path("contributions/", ContributionList.as_view(), name="contributions-list"),
    path("contributions/<uuid:uid>/", ContributionDetail.as_view(), name="contributions-detail"),
    path(
        "contributions/<uuid:uid>/review/",
        ContributionReview.as_view(),
        name="contributions-review",
    ),
    path("alignment/", AlignmentView.as_view(), name="alignment"),
    path("gaps/", GapsView.as_view(), name="gaps"),
    path("overlaps/", OverlapsView.as_view(), name="overlaps"),
    path("network/", NetworkView.as_view(), name="network"),
    path("capabilities/", CapabilityList.as_view(), name="capabilities-list"),
    path("survey-rounds/", RoundList.as_view(), name="survey-rounds-list"),
    path("survey-rounds/<uuid:uid>/answers/", RoundAnswers.as_view(), name="survey-answers"),
]
