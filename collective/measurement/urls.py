"""URLs of shared measurement (under /i/<slug>/measures/).

Fixed paths come before `<code>/`. The services store indicator codes in capitals, so a code
never collides with the lower-case names of the fixed pages.
"""

from django.urls import path

from . import scorecard_views, views

app_name = "measurement"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.indicator_create, name="indicator-create"),
    path("enter/", views.grid, name="grid"),
    path("enter/check/", views.grid_check, name="grid-check"),
    path("my-reporting/", views.my_reporting, name="my-reporting"),
    path("completeness/", views.completeness, name="completeness"),
    path("review/", views.review_queue, name="review-queue"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:uid>/", views.import_detail, name="import-detail"),
    path("import/<uuid:uid>/confirm/", views.import_confirm, name="import-confirm"),
    path("export/", views.export, name="export"),
    path("scorecard/", scorecard_views.initiative_scorecard, name="initiative-scorecard"),
    path(
        "scorecard/download/<str:fmt>/",
        scorecard_views.scorecard_download,
        name="scorecard-download",
    ),
    path("partners/<uuid:uid>/", scorecard_views.partner_scorecard, name="scorecard"),
    path("values/<uuid:uid>/", views.observation_detail, name="observation-detail"),
    path("values/<uuid:uid>/review/", views.observation_review, name="observation-review"),
    path("values/<uuid:uid>/delete/", views.observation_delete, name="observation-delete"),
    path("public/scorecard/", scorecard_views.public_scorecard, name="scorecard-public"),
    path("public/scorecard/embed/", scorecard_views.scorecard_embed, name="scorecard-embed"),
    path("public/<str:code>/", views.indicator_public, name="indicator-public"),
    path("public/<str:code>/embed/", scorecard_views.indicator_embed, name="indicator-embed"),
    path("<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("<str:code>/edit/", views.indicator_edit, name="indicator-edit"),
    path("<str:code>/archive/", views.indicator_archive, name="indicator-archive"),
    path("<str:code>/targets/", views.target_list, name="target-list"),
    path("<str:code>/targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("<str:code>/reporting/", views.assignment_list, name="assignment-list"),
    path(
        "<str:code>/reporting/<int:pk>/delete/",
        views.assignment_delete,
        name="assignment-delete",
    ),
    path("<str:code>/story/<str:period>/", views.narrative_edit, name="narrative-edit"),
]
