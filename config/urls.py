"""Root URLs: accounts, the API, the admin, the core and every registered condition app's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from collective.core.accounts import PasswordResetForm
from collective.core.conditions import registry

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("collective.api.urls")),
    *(
        path(
            f"i/<slug:slug>/{r.condition.url_prefix}/",
            include((f"{r.config.name}.urls", r.condition.key)),
        )
        for r in registry()
    ),
    path("", include("collective.core.urls")),
]

handler400 = "collective.core.errors_views.bad_request"
handler403 = "collective.core.errors_views.permission_denied"
handler404 = "collective.core.errors_views.page_not_found"
handler500 = "collective.core.errors_views.server_error"
