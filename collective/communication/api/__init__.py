"""API of continuous communication under /api/v1/initiatives/<slug>/: touchpoints, decisions,
action items, updates, discussions, feedback, surveys, notifications and webhooks. The same
rules as the pages, the same services behind every write, the same FilterSets for lists."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .delivery import NotificationViewSet, WebhookViewSet
from .exchange import DiscussionViewSet, FeedbackViewSet, SurveyViewSet, UpdateViewSet
from .meetings import ActionItemViewSet, DecisionViewSet, TouchpointViewSet

_router = SimpleRouter(trailing_slash=True)
_router.register("touchpoints", TouchpointViewSet, basename="touchpoint")
_router.register("decisions", DecisionViewSet, basename="decision")
_router.register("action-items", ActionItemViewSet, basename="action-item")
_router.register("updates", UpdateViewSet, basename="update")
_router.register("discussions", DiscussionViewSet, basename="discussion")
_router.register("feedback", FeedbackViewSet, basename="feedback")
_router.register("surveys", SurveyViewSet, basename="survey")
_router.register("notifications", NotificationViewSet, basename="notification")
_router.register("webhooks", WebhookViewSet, basename="webhook")

initiative_urlpatterns = _router.urls
