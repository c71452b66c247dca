"""Communication API: Updates, discussions, feedback and pulse surveys."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..choices import (
    FeedbackStatus,
    FeedbackTheme,
    UpdateKind,
)
from ..filters import DiscussionFilter, FeedbackFilter, UpdateFilter
from ..models import (
    Discussion,
    DiscussionPost,
    Feedback,
    Survey,
    SurveyInvite,
    Update,
)
from .common import (
    ACTIVITY_HELP,
    ModelSerializer,
    Scoped,
    StrictSerializer,
    UpdateKindField,
    _links,
    _md,
    _partner,
    activity_field,
    choice_text,
)

# --- Updates ---------------------------------------------------------------------------------


class UpdateSerializer(ModelSerializer):
    kind = UpdateKindField(read_only=True)
    partner = serializers.UUIDField(source="partner.uid", default=None)
    author = serializers.CharField(source="author.username", default=None)
    outcome = serializers.UUIDField(source="outcome.uid", default=None)
    indicator = serializers.CharField(source="indicator.code", default=None)
    activity = activity_field()
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
            "activity",
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
    activity = serializers.UUIDField(required=False, allow_null=True, help_text=ACTIVITY_HELP)


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
