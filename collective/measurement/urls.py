"""URLs of shared measurement (under /i/<slug>/measures/).

Fixed paths come before `<code>/`. The services store indicator codes in capitals, so a code
never collides with the lower-case names of the fixed pages.
"""

from django.urls import path

from .views import dashboard, entry, indicators, reporting, scorecard, transfer

app_name = "measurement"

urlpatterns = [
    path("", dashboard.index, name="index"),
    path("new/", indicators.indicator_create, name="indicator-create"),
    path("enter/", entry.grid, name="grid"),
    path("enter/check/", entry.grid_check, name="grid-check"),
    path("my-reporting/", reporting.my_reporting, name="my-reporting"),
    path("completeness/", reporting.completeness, name="completeness"),
    path("review/", entry.review_queue, name="review-queue"),
    path("import/", transfer.import_upload, name="import"),
    path("import/<uuid:uid>/", transfer.import_detail, name="import-detail"),
    path("import/<uuid:uid>/confirm/", transfer.import_confirm, name="import-confirm"),
    path("import/<uuid:uid>/retry/", transfer.import_retry, name="import-retry"),
    path("import/<uuid:uid>/undo/", transfer.import_undo, name="import-undo"),
    path("export/", transfer.export, name="export"),
    path("scorecard/", scorecard.initiative_scorecard, name="initiative-scorecard"),
    path("scorecard/download/<str:fmt>/", scorecard.scorecard_download, name="scorecard-download"),
    path("partners/<uuid:uid>/", scorecard.partner_scorecard, name="scorecard"),
    path("values/<uuid:uid>/", entry.observation_detail, name="observation-detail"),
    path("values/<uuid:uid>/review/", entry.observation_review, name="observation-review"),
    path("values/<uuid:uid>/delete/", entry.observation_delete, name="observation-delete"),
    path("public/scorecard/", scorecard.public_scorecard, name="scorecard-public"),
    path("public/scorecard/embed/", scorecard.scorecard_embed, name="scorecard-embed"),
    path("public/<str:code>/", indicators.indicator_public, name="indicator-public"),
    path("public/<str:code>/embed/", scorecard.indicator_embed, name="indicator-embed"),
    path("<str:code>/", indicators.indicator_detail, name="indicator-detail"),
    path("<str:code>/edit/", indicators.indicator_edit, name="indicator-edit"),
    path("<str:code>/archive/", indicators.indicator_archive, name="indicator-archive"),
    path("<str:code>/targets/", indicators.target_list, name="target-list"),
    path("<str:code>/targets/<int:pk>/delete/", indicators.target_delete, name="target-delete"),
    path("<str:code>/reporting/", indicators.assignment_list, name="assignment-list"),
    path(
        "<str:code>/reporting/<int:pk>/delete/",
        indicators.assignment_delete,
        name="assignment-delete",
    ),
    path("<str:code>/story/<str:period>/", indicators.narrative_edit, name="narrative-edit"),
]
