"""Root URLs: pages by app, accounts, the API and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from collective.core.accounts import PasswordResetForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("collective.api.urls")),
    path("i/<slug:slug>/agenda/", include("collective.agenda.urls")),
    path("i/<slug:slug>/measures/", include("collective.measurement.urls")),
    path("i/<slug:slug>/activities/", include("collective.activities.urls")),
    path("i/<slug:slug>/communication/", include("collective.communication.urls")),
    path("i/<slug:slug>/backbone/", include("collective.backbone.urls")),
    path("", include("collective.core.urls")),
]

handler403 = "collective.core.errors_views.permission_denied"
handler404 = "collective.core.errors_views.page_not_found"
handler500 = "collective.core.errors_views.server_error"
