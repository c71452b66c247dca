"""API URLs: /api/v1/..., the OpenAPI schema and its offline Swagger UI.

The core's endpoints and every registered condition app's `api.py::initiative_urlpatterns` are
mounted under /api/v1/initiatives/<slug>/ (names are in the "api" namespace).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from collective.core.api import resources as core_api
from collective.core.api import views
from collective.core.conditions import registry

app_name = "api"

root = SimpleRouter(trailing_slash=True)
root.register("initiatives", core_api.InitiativeViewSet, basename="initiative")


def _initiative_urlpatterns():
    patterns = list(core_api.initiative_urlpatterns)
    for registered in registry():
        module = registered.module("api")
        patterns += getattr(module, "initiative_urlpatterns", []) if module else []
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
    # The split view serves its script from a URL, not inline: it works under our CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
