"""Writes of continuous communication, one module per capability; this package re-exports them.

Every service validates, runs in one transaction, writes an audit entry and schedules its side
effects (emails, webhooks) on commit.
"""

from .actions import action_create, action_update
from .calendar import feed_create, feed_for_token, feed_revoke
from .common import muted
from .decisions import (
    decision_conclude,
    decision_propose,
    decision_record,
    decision_review,
    decision_vote,
    decision_withdraw,
)
from .digests import send_digests
from .discussions import discussion_follow, discussion_reply, discussion_seen, discussion_start
from .feedback import (
    feedback_give,
    feedback_give_by_link,
    feedback_link_renew,
    feedback_respond,
    settings_for,
    settings_update,
)
from .notifications import (
    notification_read,
    notifications_read_all,
    notify_people,
    preference_update,
    unsubscribe,
    unsubscribe_person,
)
from .reminders import run_reminders
from .surveys import survey_close, survey_create, survey_open, survey_respond
from .touchpoints import (
    agenda_draft,
    agenda_item_add,
    agenda_item_remove,
    agenda_item_update,
    attendance_record,
    backlog_add,
    meeting_close,
    minutes_correct,
    minutes_lock,
    minutes_open_corrections,
    minutes_save,
    occurrence_cancel,
    occurrence_move,
    occurrences_extend,
    series_create,
    series_update,
)
from .updates import help_offer, help_resolve, update_post, update_reply
from .webhooks import (
    deliver,
    delivery_replay,
    webhook_create,
    webhook_delete,
    webhook_rotate_secret,
    webhook_update,
)

__all__ = [
    "action_create",
    "action_update",
    "agenda_draft",
    "agenda_item_add",
    "agenda_item_remove",
    "agenda_item_update",
    "attendance_record",
    "backlog_add",
    "decision_conclude",
    "decision_propose",
    "decision_record",
    "decision_review",
    "decision_vote",
    "decision_withdraw",
    "deliver",
    "delivery_replay",
    "discussion_follow",
    "discussion_reply",
    "discussion_seen",
    "discussion_start",
    "feed_create",
    "feed_for_token",
    "feed_revoke",
    "feedback_give",
    "feedback_give_by_link",
    "feedback_link_renew",
    "feedback_respond",
    "help_offer",
    "help_resolve",
    "meeting_close",
    "minutes_correct",
    "minutes_lock",
    "minutes_open_corrections",
    "minutes_save",
    "muted",
    "notification_read",
    "notifications_read_all",
    "notify_people",
    "occurrence_cancel",
    "occurrence_move",
    "occurrences_extend",
    "preference_update",
    "run_reminders",
    "send_digests",
    "series_create",
    "series_update",
    "settings_for",
    "settings_update",
    "survey_close",
    "survey_create",
    "survey_open",
    "survey_respond",
    "unsubscribe",
    "unsubscribe_person",
    "update_post",
    "update_reply",
    "webhook_create",
    "webhook_delete",
    "webhook_rotate_secret",
    "webhook_update",
]
