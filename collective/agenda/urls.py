"""URLs of common agenda (under /i/<slug>/agenda/)."""

from django.urls import path

from . import views

app_name = "agenda"

version = "v/<int:number>/"
outcome = version + "outcomes/<uuid:uid>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.version_create, name="version-create"),
    path("history/", views.history, name="history"),
    path("diff/", views.version_diff, name="diff"),
    path("endorsements/", views.endorsements, name="endorsements"),
    path(version, views.version_detail, name="version-detail"),
    path(version + "print/", views.version_print, name="version-print"),
    path(version + "edit/", views.version_edit, name="version-edit"),
    path(version + "adopt/", views.version_adopt, name="version-adopt"),
    path(version + "endorse/", views.endorse, name="endorse"),
    path(version + "outcomes/new/", views.outcome_add, name="outcome-add"),
    path(outcome + "edit/", views.outcome_edit, name="outcome-edit"),
    path(outcome + "move/", views.outcome_move, name="outcome-move"),
    path(outcome + "remove/", views.outcome_remove, name="outcome-remove"),
    path(version + "consultation/", views.consultation, name="consultation"),
    path(version + "consultation/open/", views.consultation_open, name="consultation-open"),
    path(version + "consultation/close/", views.consultation_close, name="consultation-close"),
    path(version + "consultation/reply/", views.item_reply, name="item-reply"),
    path(version + "consultation/<uuid:uid>/decide/", views.item_decide, name="item-decide"),
    path(version + "voices/", views.voices, name="voices"),
    path(version + "voices/nudge/", views.voices_nudge, name="voices-nudge"),
]
