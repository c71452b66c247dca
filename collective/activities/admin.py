"""Admin of activities: read-only views for support staff; every change goes through the
services (pages, API)."""

from django.contrib import admin

from collective.core.admin import ReadOnlyAdmin

from .models import (
    Activity,
    Capability,
    ClaimReview,
    Contribution,
    Dependency,
    OverlapDecision,
    SurveyRound,
)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "partner", "status", "lever", "start", "end", "initiative"]
    list_filter = ["status", "lever", "initiative"]
    search_fields = ["title", "description"]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["activity", "outcome", "indicator", "strength", "initiative"]
    list_filter = ["strength", "initiative"]


@admin.register(ClaimReview)
class ClaimReviewAdmin(ReadOnlyAdmin):
    list_display = ["contribution", "verdict", "reviewer", "partner", "updated_at"]
    list_filter = ["verdict"]


@admin.register(Dependency)
class DependencyAdmin(ReadOnlyAdmin):
    list_display = ["activity", "needs", "initiative"]


@admin.register(Capability)
class CapabilityAdmin(ReadOnlyAdmin):
    list_display = ["name", "initiative"]


@admin.register(OverlapDecision)
class OverlapDecisionAdmin(ReadOnlyAdmin):
    list_display = ["first", "second", "decision", "decided_by", "updated_at"]


@admin.register(SurveyRound)
class SurveyRoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "opened_on", "closed_on", "initiative"]
