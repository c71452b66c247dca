"""Communication API: Notifications and outgoing webhooks."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..choices import (
    EmailMode,
    WebhookFormat,
)
from ..models import (
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..services.webhooks import EVENTS
from .common import (
    ModelSerializer,
    NotificationKindField,
    Scoped,
    StrictSerializer,
    choice_text,
)

# --- Notifications ---------------------------------------------------------------------------


class NotificationSerializer(ModelSerializer):
    kind = NotificationKindField(read_only=True)
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "actor", "created_at", "read_at"]
        read_only_fields = fields


class PreferenceSerializer(StrictSerializer):
    email_mode = choice_text(EmailMode)
    time_zone = serializers.CharField()
    digest_hour = serializers.IntegerField(required=False, default=7)


class NotificationViewSet(Scoped):
    """The signed-in person's own notifications in this initiative."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    perms = {
        "read": "communication.view",
        "read_all": "communication.view",
        "preferences": "communication.view",
    }

    def list(self, request, slug=None):
        qs = selectors.notification_list(request.user, self.initiative)
        if request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return self.paginated(qs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, slug=None, pk=None):
        notification = Notification.objects.filter(pk=pk, initiative=self.initiative).first()
        if notification is None:
            raise Http404("No such notification.")
        if notification.user_id != request.user.pk:
            raise exceptions.PermissionDenied("That notification is someone else's.")
        services.notification_read(user=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, slug=None):
        count = services.notifications_read_all(user=request.user, initiative=self.initiative)
        return Response({"marked_read": count})

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    @action(detail=False, methods=["get", "put"])
    def preferences(self, request, slug=None):
        if request.method == "PUT":
            data = PreferenceSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.preference_update(user=request.user, **data.validated_data)
        from ..services.notifications import preference_for

        pref = preference_for(request.user)
        return Response(
            {
                "email_mode": pref.email_mode,
                "time_zone": pref.time_zone,
                "digest_hour": pref.digest_hour,
            }
        )


# --- Webhooks --------------------------------------------------------------------------------


class WebhookSerializer(ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "uid",
            "name",
            "url",
            "format",
            "events",
            "active",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
        ]
        read_only_fields = fields


class WebhookWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=500, required=False)
    format = choice_text(WebhookFormat, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)), required=False
    )
    active = serializers.BooleanField(required=False)


class DeliverySerializer(ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "message_id",
            "event_type",
            "state",
            "attempts",
            "last_status",
            "last_error",
            "last_duration_ms",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields


class ReplaySerializer(StrictSerializer):
    delivery = serializers.IntegerField()


class WebhookViewSet(Scoped):
    serializer_class = WebhookSerializer
    lookup_field = "uid"
    read_perm = "communication.manage"
    queryset = WebhookEndpoint.objects.none()

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(initiative=self.initiative)

    def list(self, request, slug=None):
        return self.paginated(self.get_queryset())

    def retrieve(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        data = self.get_serializer(endpoint).data
        data["secret"] = endpoint.secret
        return Response(data)

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookSerializer})
    def create(self, request, slug=None):
        data = WebhookWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("active", None)
        endpoint = services.webhook_create(
            actor=request.user,
            initiative=self.initiative,
            name=v.get("name", ""),
            url=v.get("url", ""),
            format=v.get("format", WebhookFormat.STANDARD),
            events=v.get("events", []),
        )
        out = self.get_serializer(endpoint).data
        out["secret"] = endpoint.secret
        return Response(out, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookWriteSerializer, responses=WebhookSerializer)
    def partial_update(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        data = WebhookWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.webhook_update(actor=request.user, endpoint=endpoint, **data.validated_data)
        return Response(self.get_serializer(endpoint).data)

    def destroy(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        services.webhook_delete(actor=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        return self.paginated(
            endpoint.deliveries.order_by("-created_at", "-id"), DeliverySerializer
        )

    @extend_schema(request=ReplaySerializer, responses={201: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        data = ReplaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = endpoint.deliveries.filter(pk=data.validated_data["delivery"]).first()
        if delivery is None:
            raise serializers.ValidationError({"delivery": ["No such delivery of this webhook."]})
        replay = services.delivery_replay(actor=request.user, delivery=delivery)
        return Response(DeliverySerializer(replay).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WebhookSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, slug=None, uid=None):
        endpoint = selectors.webhook_get(self.initiative, uid)
        services.webhook_rotate_secret(actor=request.user, endpoint=endpoint)
        out = self.get_serializer(endpoint).data
        out["secret"] = endpoint.secret
        return Response(out)
