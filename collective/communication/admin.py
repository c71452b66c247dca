"""Django admin for superusers: continuous communication, read-only.

Every write goes through the services (validation, audit entry, notifications, webhooks), so
the admin shows the data without offering to change it behind their back. Secrets and feed
tokens are not shown.
"""

from django.contrib import admin

from .models import (
    ActionItem,
    CalendarFeed,
    Decision,
    Discussion,
    Feedback,
    Notification,
    Occurrence,
    ReminderLog,
    Survey,
    TouchpointSeries,
    Update,
    WebhookDelivery,
    WebhookEndpoint,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TouchpointSeries)
class SeriesAdmin(ReadOnlyAdmin):
    list_display = ("title", "initiative", "kind", "cadence", "time_zone", "facilitator")
    list_filter = ("initiative", "kind", "cadence")
    search_fields = ("title",)


@admin.register(Occurrence)
class OccurrenceAdmin(ReadOnlyAdmin):
    list_display = ("series", "start", "status", "minutes_state", "initiative")
    list_filter = ("initiative", "status", "minutes_state")
    date_hierarchy = "start"


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "initiative", "method", "status", "decided_at")
    list_filter = ("initiative", "method", "status")
    search_fields = ("title", "statement")


@admin.register(ActionItem)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ("title", "initiative", "owner", "owner_partner", "due_date", "status")
    list_filter = ("initiative", "status")
    search_fields = ("title",)


@admin.register(Update)
class UpdateAdmin(ReadOnlyAdmin):
    list_display = ("title", "initiative", "kind", "partner", "author", "created_at")
    list_filter = ("initiative", "kind")
    search_fields = ("title", "body")


@admin.register(Discussion)
class DiscussionAdmin(ReadOnlyAdmin):
    list_display = ("title", "initiative", "post_count", "last_post_at")
    list_filter = ("initiative",)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("theme", "initiative", "status", "anonymous", "created_at", "responded_at")
    list_filter = ("initiative", "status", "theme")


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "initiative", "status", "anonymous", "min_group_size")
    list_filter = ("initiative", "status")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("title", "user", "initiative", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("initiative", "kind")


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ("key", "user", "initiative", "sent_at")
    list_filter = ("initiative",)
    search_fields = ("key",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("user", "initiative", "scope", "created_at", "revoked_at", "last_used_at")
    exclude = ("token_hash",)


@admin.register(WebhookEndpoint)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ("name", "initiative", "url", "format", "active", "consecutive_failures")
    list_filter = ("initiative", "format", "active")
    exclude = ("secret", "previous_secret")


@admin.register(WebhookDelivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event_type", "endpoint", "state", "attempts", "last_status", "created_at")
    list_filter = ("state", "event_type")
