"""Pulse surveys: a few questions to members or groups, anonymous when asked."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from ..choices import QuestionKind, SurveyStatus

MIN_GROUP_FLOOR = 3  # an anonymous survey's smallest group can never be set below this


class Survey(InitiativeOwned):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    anonymous = models.BooleanField(default=True)
    min_group_size = models.PositiveSmallIntegerField(
        default=5, help_text="Results of a smaller group are never shown (at least 3)."
    )
    status = models.CharField(
        max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    partners = models.ManyToManyField(Partner, blank=True, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_group_size__gte=MIN_GROUP_FLOOR), name="survey_min_group"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "communication:survey-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["survey", "order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyInvite(models.Model):
    """Who was asked; `responded` is set without linking the answer to them."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="invite_once")]

    def __str__(self) -> str:
        return f"{self.user_id} asked in {self.survey_id}"


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Empty for anonymous surveys: only the group (partner) is kept.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Day only, so the order of responses cannot be matched with who answered when.
    submitted_on = models.DateField()

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey_id}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"
