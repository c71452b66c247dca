"""URLs of continuous communication (under /i/<slug>/communication/)."""

from django.urls import path

from .views import actions, decisions, feedback, hub, notifications, touchpoints, updates

app_name = "communication"

meeting = "meetings/<uuid:uid>/"
item = meeting + "items/<uuid:item_uid>/"
decision = "decisions/<int:number>/"
action = "actions/<uuid:uid>/"
update = "updates/<uuid:uid>/"
discussion = "discussions/<uuid:uid>/"
survey = "surveys/<uuid:uid>/"
webhook = "webhooks/<uuid:uid>/"

urlpatterns = [
    path("", hub.index, name="index"),
    # Touchpoints and meetings
    path("touchpoints/", touchpoints.series_list, name="series-list"),
    path("touchpoints/new/", touchpoints.series_create, name="series-create"),
    path("touchpoints/<uuid:uid>/", touchpoints.series_detail, name="series-detail"),
    path("touchpoints/<uuid:uid>/backlog/", touchpoints.backlog_add, name="backlog-add"),
    path("meetings/", touchpoints.meeting_list, name="meeting-list"),
    path(meeting, touchpoints.meeting_detail, name="meeting-detail"),
    path(meeting + "draft/", touchpoints.agenda_draft, name="agenda-draft"),
    path(meeting + "items/new/", touchpoints.item_add, name="item-add"),
    path(item + "edit/", touchpoints.item_edit, name="item-edit"),
    path(item + "remove/", touchpoints.item_remove, name="item-remove"),
    path(meeting + "move/", touchpoints.meeting_move, name="meeting-move"),
    path(meeting + "cancel/", touchpoints.meeting_cancel, name="meeting-cancel"),
    path(meeting + "attendance/", touchpoints.attendance, name="attendance"),
    path(meeting + "minutes/", touchpoints.minutes_edit, name="minutes-edit"),
    path(meeting + "minutes/open/", touchpoints.minutes_open, name="minutes-open"),
    path(meeting + "minutes/correct/", touchpoints.minutes_correct, name="minutes-correct"),
    path(meeting + "minutes/lock/", touchpoints.minutes_lock, name="minutes-lock"),
    path(meeting + "close/", touchpoints.meeting_close, name="meeting-close"),
    # Decisions
    path("decisions/", decisions.decision_list, name="decision-list"),
    path("decisions/new/", decisions.decision_create, name="decision-create"),
    path("decisions/propose/", decisions.decision_propose, name="decision-propose"),
    path(decision, decisions.decision_detail, name="decision-detail"),
    path(decision + "vote/", decisions.decision_vote, name="decision-vote"),
    path(decision + "conclude/", decisions.decision_conclude, name="decision-conclude"),
    path(decision + "review/", decisions.decision_review, name="decision-review"),
    # Actions
    path("actions/", actions.action_list, name="action-list"),
    path("actions/mine/", actions.my_actions, name="my-actions"),
    path("actions/new/", actions.action_create, name="action-create"),
    path(action, actions.action_detail, name="action-detail"),
    path(action + "edit/", actions.action_edit, name="action-edit"),
    path(action + "status/", actions.action_status, name="action-status"),
    # Updates and discussions
    path("updates/", updates.feed, name="feed"),
    path("updates/new/", updates.update_create, name="update-create"),
    path(update, updates.update_detail, name="update-detail"),
    path(update + "reply/", updates.update_reply, name="update-reply"),
    path(update + "offer/", updates.help_offer, name="help-offer"),
    path(update + "resolve/", updates.help_resolve, name="help-resolve"),
    path("discussions/", updates.discussion_list, name="discussion-list"),
    path("discussions/new/", updates.discussion_create, name="discussion-create"),
    path(discussion, updates.discussion_detail, name="discussion-detail"),
    path(discussion + "reply/", updates.discussion_reply, name="discussion-reply"),
    path(discussion + "follow/", updates.discussion_follow, name="discussion-follow"),
    # Feedback and surveys
    path("feedback/", feedback.feedback_board, name="feedback-board"),
    path("feedback/new/", feedback.feedback_create, name="feedback-create"),
    path("feedback/<uuid:uid>/", feedback.feedback_detail, name="feedback-detail"),
    path("feedback/<uuid:uid>/respond/", feedback.feedback_respond, name="feedback-respond"),
    path("feedback/link/<str:token>/", feedback.feedback_public, name="feedback-public"),
    path("surveys/", feedback.survey_list, name="survey-list"),
    path("surveys/new/", feedback.survey_create, name="survey-create"),
    path(survey, feedback.survey_detail, name="survey-detail"),
    path(survey + "open/", feedback.survey_open, name="survey-open"),
    path(survey + "close/", feedback.survey_close, name="survey-close"),
    # Notifications, calendar feeds, unsubscribe
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification-open"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("calendar/", notifications.calendar, name="calendar"),
    path("calendar/new/", notifications.feed_create, name="feed-create"),
    path("calendar/<uuid:uid>/revoke/", notifications.feed_revoke, name="feed-revoke"),
    path("calendar/feed/<str:token>.ics", notifications.feed_ics, name="feed-ics"),
    # Webhooks and settings
    path("webhooks/", notifications.webhook_list, name="webhook-list"),
    path("webhooks/new/", notifications.webhook_create, name="webhook-create"),
    path(webhook, notifications.webhook_detail, name="webhook-detail"),
    path(webhook + "rotate/", notifications.webhook_rotate, name="webhook-rotate"),
    path(webhook + "delete/", notifications.webhook_delete, name="webhook-delete"),
    path(
        webhook + "deliveries/<int:pk>/replay/",
        notifications.delivery_replay,
        name="delivery-replay",
    ),
    path("settings/", notifications.settings_page, name="settings"),
]
