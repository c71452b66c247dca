"""Notifications, people's email choices, digests, reminders sent, calendar feeds and the
initiative's communication settings."""

import uuid

from django.conf import settings
from django.db import models

from collective.core.models import Initiative

from ..choices import EmailMode, FeedScope, NotificationKind


class CommunicationSettings(models.Model):
    """Per initiative: reminder timing and the public feedback link."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="communication_settings"
    )
    remind_days_before = models.PositiveSmallIntegerField(
        default=3, help_text="Days before a due date (data, actions) that people are reminded."
    )
    repeat_overdue_days = models.PositiveSmallIntegerField(
        default=7, help_text="How often an overdue item is reminded again."
    )
    escalate_after = models.PositiveSmallIntegerField(
        default=3,
        help_text="After this many reminders about the same thing, the partner lead is told.",
    )
    close_meeting_after_days = models.PositiveSmallIntegerField(
        default=2, help_text="A meeting not closed this many days after it ended is flagged."
    )
    consultation_remind_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after an agenda consultation opens that people are reminded."
    )
    feedback_link_enabled = models.BooleanField(
        default=False, help_text="Anyone with the feedback link can give feedback anonymously."
    )
    feedback_token = models.CharField(max_length=43, blank=True)

    def __str__(self) -> str:
        return f"Communication settings of {self.initiative}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.DAILY)
    time_zone = models.CharField(max_length=64, default="UTC")
    digest_hour = models.PositiveSmallIntegerField(
        default=7, help_text="Local hour at which a day's window closes and its digest goes out."
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.email_mode}"


class Notification(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # The object it is about: digests group by it.
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_bell"),
            models.Index(fields=["user", "initiative", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class DigestRun(models.Model):
    """At most one digest per person and window: the window's key is unique per person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    window = models.CharField(max_length=30)  # "daily:2026-12-01", "weekly:2026-W49"
    sent_at = models.DateTimeField()
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "window"], name="digest_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.window}"


class ReminderLog(models.Model):
    """One row per reminder sent: its key makes `run_reminders` idempotent."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=160, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    subject = models.CharField(max_length=100, db_index=True)  # the thing reminded about
    sent_at = models.DateTimeField()
    # Which run inserted the row: concurrent runs each send only the rows they inserted.
    run = models.CharField(max_length=32, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "subject"])]

    def __str__(self) -> str:
        return self.key


class CalendarFeed(models.Model):
    """A secret, revocable address of an iCalendar feed; only a hash of its token is kept."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=FeedScope.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scope} feed of {self.user_id}"
