"""Links to activities, which live in another condition app that may not be installed.

An activity is referred to by content type + object id (no foreign key into the activities app),
with its title kept for display; `SlippedActivity` is filled by the ACTIVITY_SLIPPED hook so
agendas can list what slipped without reading the activities app.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from collective.core.models import InitiativeOwned


class ActivityLink(models.Model):
    """Abstract: an optional link to an activity (any model), with its title for display."""

    activity_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activity_id = models.CharField(max_length=64, blank=True)
    activity_title = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def activity(self):
        if not self.activity_type_id or not self.activity_id:
            return None
        model = self.activity_type.model_class()
        return model.objects.filter(pk=self.activity_id).first() if model else None

    def activity_url(self) -> str:
        activity = self.activity
        return activity.get_absolute_url() if hasattr(activity, "get_absolute_url") else ""


class SlippedActivity(InitiativeOwned, ActivityLink):
    """An activity the activities app reported as slipped (hooks.ACTIVITY_SLIPPED)."""

    reason = models.TextField(blank=True)
    waiting = models.JSONField(default=list, blank=True)  # titles of activities waiting on it
    slipped_at = models.DateTimeField()
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-slipped_at"]
        indexes = [models.Index(fields=["initiative", "discussed_at"])]

    def __str__(self) -> str:
        return f"{self.activity_title} slipped"
