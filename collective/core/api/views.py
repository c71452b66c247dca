"""API root and token authentication."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import parsers, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from .. import services
from ..throttling import lockout_response
from .parsers import JSONParser


@extend_schema(
    responses=inline_serializer(
        "ApiRoot",
        {
            "initiatives": serializers.URLField(),
            "auth_token": serializers.URLField(),
            "schema": serializers.URLField(),
            "docs": serializers.URLField(),
        },
    ),
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


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="A name to recognise the token by on your profile page, e.g. 'Nightly import'.",
    )


class ObtainToken(APIView):
    """Exchange a username and password for a new API token: send it as `Authorization: Token …`.

    Each call makes a new named token that expires (see `expiry`); list and revoke your tokens
    on your profile page. After too many wrong passwords the account is locked for a while (429
    with `Retry-After`), and calls are limited per address.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, parsers.FormParser]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "expiry": serializers.DateTimeField(allow_null=True),
                    "name": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many attempts: see Retry-After."),
        },
    )
    def post(self, request, *args, **kwargs):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credentials = {
            "username": data.validated_data["username"],
            "password": data.validated_data["password"],
        }
        django_request = request._request
        if AxesProxyHandler.is_locked(django_request, get_credentials(**credentials)):
            return lockout_response(django_request)
        user = authenticate(django_request, **credentials)
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return lockout_response(django_request)
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with the username and password given."]}
            )
        token, secret = services.api_token_create(
            actor=user, name=data.validated_data.get("name") or "API token"
        )
        return Response(
            {
                "token": secret,
                "expiry": token.expiry.isoformat() if token.expiry else None,
                "name": token.name,
            }
        )
