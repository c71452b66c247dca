"""Models of continuous communication, one module per capability."""

from .actions import ActionItem
from .decisions import Decision, DecisionVote
from .discussions import Discussion, DiscussionFollow, DiscussionPost, DiscussionSeen
from .feedback import Feedback
from .links import ActivityLink, SlippedActivity
from .notifications import (
    CalendarFeed,
    CommunicationSettings,
    DigestRun,
    Notification,
    NotificationPreference,
    ReminderLog,
)
from .surveys import Survey, SurveyAnswer, SurveyInvite, SurveyQuestion, SurveyResponse
from .touchpoints import (
    AgendaItem,
    Attendance,
    BacklogTopic,
    MinutesCorrection,
    Occurrence,
    TouchpointSeries,
)
from .updates import HelpOffer, Update, UpdateReply
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ActionItem",
    "ActivityLink",
    "AgendaItem",
    "Attendance",
    "BacklogTopic",
    "CalendarFeed",
    "CommunicationSettings",
    "Decision",
    "DecisionVote",
    "DigestRun",
    "Discussion",
    "DiscussionFollow",
    "DiscussionPost",
    "DiscussionSeen",
    "Feedback",
    "HelpOffer",
    "MinutesCorrection",
    "Notification",
    "NotificationPreference",
    "Occurrence",
    "ReminderLog",
    "SlippedActivity",
    "Survey",
    "SurveyAnswer",
    "SurveyInvite",
    "SurveyQuestion",
    "SurveyResponse",
    "TouchpointSeries",
    "Update",
    "UpdateReply",
    "WebhookDelivery",
    "WebhookEndpoint",
]
