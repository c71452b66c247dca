"""Django admin for superusers: shared measurement, read-only.

Every write of measurement data goes through the services (they validate, keep the history
and the roll-ups fresh and record the audit entry), so the admin shows the data without
offering to change it behind their back.
"""

from django.contrib import admin

from collective.core.admin import ReadOnlyAdmin

from .models import (
    ImportJob,
    Indicator,
    IndicatorStatus,
    Narrative,
    Observation,
    ObservationHistory,
    ReportingAssignment,
    Rollup,
    Target,
)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "initiative", "level", "frequency", "aggregation", "archived")
    list_filter = ("initiative", "level", "frequency", "aggregation", "archived", "is_public")
    search_fields = ("code", "name", "definition")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "period", "partner", "value")
    list_filter = ("initiative",)
    list_select_related = ("indicator", "partner")


@admin.register(ReportingAssignment)
class ReportingAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "partner", "due_days", "starts_period", "active")
    list_filter = ("initiative", "active")
    list_select_related = ("indicator", "partner")


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "partner", "period", "breakdown", "value", "status", "source")
    list_filter = ("initiative", "status", "source")
    search_fields = ("indicator__code", "partner__name", "period")
    list_select_related = ("indicator", "partner")
    show_full_result_count = False


@admin.register(ObservationHistory)
class ObservationHistoryAdmin(ReadOnlyAdmin):
    list_display = ("observation", "action", "value", "status", "source", "changed_at")
    list_filter = ("initiative", "action", "source")
    list_select_related = ("observation__indicator", "observation__partner")
    show_full_result_count = False


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "period", "scope", "breakdown", "value", "reporting_partners")
    list_filter = ("initiative",)
    list_select_related = ("indicator", "scope")
    show_full_result_count = False


@admin.register(IndicatorStatus)
class IndicatorStatusAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "scope", "status", "latest_period", "latest_value", "updated_at")
    list_filter = ("initiative", "status")
    list_select_related = ("indicator", "scope")


@admin.register(Narrative)
class NarrativeAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "period", "author", "updated_at")
    list_filter = ("initiative",)
    list_select_related = ("indicator", "author")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("filename", "initiative", "state", "total_rows", "created_by", "created_at")
    list_filter = ("initiative", "state")
