"""API root and token authentication."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse


@extend_schema(
    responses=inline_serializer("ApiRoot", {"initiatives": serializers.URLField()}),
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    """Where to start: the initiatives you can see, the schema and the docs."""
    return Response(
        {
            "initiatives": reverse("api:initiative-list", request=request),
            "auth_token": reverse("api:auth-token", request=request),
            "schema": reverse("api:schema", request=request),
            "docs": reverse("api:docs", request=request),
        }
    )


class ObtainToken(ObtainAuthToken):
    """Exchange a username and password for an API token: send it as `Authorization: Token …`."""

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
