"""API URLs: /api/v1/..., the OpenAPI schema and its offline Swagger UI.

Each app's `api.py` may define `initiative_urlpatterns`: paths mounted under
/api/v1/initiatives/<slug>/ (names are in the "api" namespace).
"""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from collective.core import api as core_api

from . import views

app_name = "api"

APPS = ["core", "agenda", "measurement", "activities", "communication", "backbone"]

root = SimpleRouter(trailing_slash=True)
root.register("initiatives", core_api.InitiativeViewSet, basename="initiative")


def _initiative_urlpatterns():
    patterns = []
    for app in APPS:
        try:
            module = import_module(f"collective.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"collective.{app}.api":
                raise
            continue
        patterns += getattr(module, "initiative_urlpatterns", [])
    return patterns


v1 = [
    path("", views.api_root, name="root"),
    path("auth/token/", views.ObtainToken.as_view(), name="auth-token"),
    path("initiatives/<slug:slug>/", include(_initiative_urlpatterns())),
    *root.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
