"""API URLs: /api/v1/..., the OpenAPI schema and its offline Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from collective.core import api as core_api

from . import views

app_name = "api"

root = SimpleRouter(trailing_slash=True)
root.register("initiatives", core_api.InitiativeViewSet, basename="initiative")

nested = SimpleRouter(trailing_slash=True)
nested.register("partners", core_api.PartnerViewSet, basename="partner")
nested.register("members", core_api.MemberViewSet, basename="member")
nested.register("invitations", core_api.InvitationViewSet, basename="invitation")

v1 = [
    path("", views.api_root, name="root"),
    path("auth/token/", views.ObtainToken.as_view(), name="auth-token"),
    path("initiatives/<slug:slug>/", include(nested.urls)),
    *root.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
