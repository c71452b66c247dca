"""URLs of mutually reinforcing activities (under /i/<slug>/activities/)."""

from django.urls import path

from . import views

app_name = "activities"

activity = "a/<uuid:uid>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.activity_create, name="activity-create"),
    path(activity, views.activity_detail, name="activity-detail"),
    path(activity + "edit/", views.activity_edit, name="activity-edit"),
    path(activity + "delete/", views.activity_delete, name="activity-delete"),
    path(activity + "progress/", views.activity_progress, name="activity-progress"),
    path(activity + "acknowledge/", views.activity_acknowledge, name="activity-acknowledge"),
    path(activity + "milestones/", views.milestone_add, name="milestone-add"),
    path(activity + "milestones/<int:pk>/", views.milestone_done, name="milestone-done"),
    path(activity + "dependencies/", views.dependency_add, name="dependency-add"),
    path(
        activity + "dependencies/<int:pk>/remove/",
        views.dependency_remove,
        name="dependency-remove",
    ),
    path(activity + "claims/new/", views.claim_create, name="claim-create"),
    path("claims/<uuid:uid>/edit/", views.claim_edit, name="claim-edit"),
    path("claims/<uuid:uid>/remove/", views.claim_remove, name="claim-remove"),
    path("claims/<uuid:uid>/review/", views.claim_review, name="claim-review"),
    path("alignment/", views.alignment, name="alignment"),
    path("gaps/", views.gaps_page, name="gaps"),
    path("overlaps/", views.overlaps, name="overlaps"),
    path("overlaps/decide/", views.overlap_decide, name="overlap-decide"),
    path("overlaps/scan/", views.overlap_scan, name="overlap-scan"),
    path("overlaps/scan/<uuid:uid>/", views.overlap_scan_detail, name="overlap-scan-detail"),
    path("network/", views.network_page, name="network"),
    path("map/", views.map_page, name="map"),
    path("map.json", views.map_json, name="map-json"),
    path("outcomes/<uuid:uid>/", views.contribution, name="contribution"),
    path("timeline/", views.timeline, name="timeline"),
    path("strengths/", views.strengths, name="strengths"),
    path("strengths/rate/", views.strengths_rate, name="strengths-rate"),
    path("strengths/capabilities/", views.capability_add, name="capability-add"),
    path("strengths/capabilities/<int:pk>/", views.capability_edit, name="capability-edit"),
    path(
        "strengths/capabilities/<int:pk>/remove/",
        views.capability_remove,
        name="capability-remove",
    ),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<uuid:uid>/", views.survey_detail, name="survey-detail"),
    path("surveys/<uuid:uid>/answer/", views.survey_answer, name="survey-answer"),
    path("surveys/<uuid:uid>/close/", views.survey_close, name="survey-close"),
]
