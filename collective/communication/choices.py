"""Choices of continuous communication."""

from django.db import models


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly (same weekday of the month)"
    CUSTOM = "custom", "Custom (an iCalendar RRULE)"


class TouchpointKind(models.TextChoices):
    STEERING = "steering", "Steering group"
    WORKING = "working", "Working group"
    ALL_PARTNERS = "all_partners", "All partners"
    LEARNING = "learning", "Learning session"
    RETROSPECTIVE = "retrospective", "Retrospective"


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    CLOSED = "closed", "Closed"


class MinutesState(models.TextChoices):
    DRAFT = "draft", "Draft"
    CORRECTIONS = "corrections", "Open for corrections"
    LOCKED = "locked", "Locked"


class ItemSource(models.TextChoices):
    """Where an agenda item came from: the evidence that put it on the agenda."""

    CARRIED = "carried", "Carried over"
    OVERDUE_ACTION = "overdue_action", "Matters arising: overdue action"
    DECISION_REVIEW = "decision_review", "Matters arising: decision due for review"
    OFF_TRACK = "off_track", "Off-track measure"
    FEEDBACK = "feedback", "Unanswered feedback"
    HELP_WANTED = "help_wanted", "Open help-wanted post"
    SLIPPED = "slipped", "Activity that slipped"
    BACKLOG = "backlog", "Topic backlog"
    MANUAL = "manual", "Added by hand"


class ItemOutcome(models.TextChoices):
    OPEN = "open", "Not yet discussed"
    DISCUSSED = "discussed", "Discussed"
    DECIDED = "decided", "Decided"
    NOTED = "noted", "Noted"
    UNFINISHED = "unfinished", "Unfinished — carry over"


FINISHED_OUTCOMES = [ItemOutcome.DISCUSSED, ItemOutcome.DECIDED, ItemOutcome.NOTED]


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class DecisionMethod(models.TextChoices):
    MEETING = "meeting", "In a meeting"
    ASYNC = "async", "Asynchronously (a proposal with a deadline)"
    BACKBONE = "backbone", "By the backbone on members' behalf"


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Open for responses"
    TAKEN = "taken", "Taken"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Stance(models.TextChoices):
    SUPPORT = "support", "Support"
    OBJECT = "object", "Object"
    ABSTAIN = "abstain", "Abstain"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_ACTION_STATUSES = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", "Progress"
    LEARNING = "learning", "Learning"
    RISK = "risk", "Risk"
    HELP_WANTED = "help_wanted", "Help wanted"


class FeedbackStatus(models.TextChoices):
    NEW = "new", "New"
    CONSIDERED = "considered", "Being considered"
    ACTED_ON = "acted_on", "Acted on"
    DECLINED = "declined", "Declined"


CLOSED_FEEDBACK = [FeedbackStatus.ACTED_ON, FeedbackStatus.DECLINED]


class FeedbackTheme(models.TextChoices):
    AGENDA = "agenda", "Our agenda and goals"
    MEASURES = "measures", "Measures and data"
    WAYS_OF_WORKING = "ways_of_working", "Ways of working together"
    MEETINGS = "meetings", "Meetings and communication"
    SERVICES = "services", "What people experience"
    OTHER = "other", "Something else"


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class QuestionKind(models.TextChoices):
    SCALE = "scale", "Scale (1–5)"
    CHOICE = "choice", "Choice"
    TEXT = "text", "Free text"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "An email for each notification"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest (Mondays)"
    NONE = "none", "No email (the bell only)"


class NotificationKind(models.TextChoices):
    MENTION = "mention", "Mention"
    ASSIGNMENT = "assignment", "Assignment"
    REMINDER = "reminder", "Reminder"
    DECISION = "decision", "Decision"
    MEETING = "meeting", "Meeting"
    UPDATE = "update", "Update"
    DISCUSSION = "discussion", "Discussion"
    FEEDBACK = "feedback", "Feedback"
    SURVEY = "survey", "Survey"
    ACTIVITY = "activity", "Activity"
    AGENDA = "agenda", "Agenda"
    WEBHOOK = "webhook", "Webhook"


# Mentions and assignments always go out at once, whatever the person's digest choice.
URGENT_KINDS = [NotificationKind.MENTION, NotificationKind.ASSIGNMENT]


class WebhookFormat(models.TextChoices):
    STANDARD = "standard", "Standard Webhooks (JSON, signed)"
    SLACK = "slack", "Slack incoming webhook (Block Kit)"
    TEAMS = "teams", "Microsoft Teams Workflows (Adaptive Card)"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class FeedScope(models.TextChoices):
    INITIATIVE = "initiative", "Everything in the initiative"
    PERSONAL = "personal", "Mine: my meetings, actions, reviews and data due"
