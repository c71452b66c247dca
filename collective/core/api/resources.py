"""API of the core: initiatives, partners, members, invitations."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from collective.core import limits

from .. import selectors, services
from ..choices import Role, Stage, Visibility
from ..models import Initiative, Invitation, Membership, Partner
from .permissions import InitiativeScoped, initiative_for_api

User = get_user_model()


class InitiativeSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "uid",
            "slug",
            "name",
            "purpose",
            "visibility",
            "stage",
            "review_observations",
            "my_role",
            "created_at",
        ]
        read_only_fields = ["uid", "created_at", "my_role"]

    def get_my_role(self, obj) -> str | None:
        from ..rules import membership_for

        membership = membership_for(self.context["request"].user, obj)
        return membership.role if membership else None


class InitiativeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=60, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=limits.SHORT, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.EARLY)


class InitiativeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    purpose = serializers.CharField(max_length=limits.SHORT, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    review_observations = serializers.BooleanField(required=False)


class InitiativeViewSet(viewsets.GenericViewSet):
    """Initiatives you are a member of (and public ones, read-only)."""

    serializer_class = InitiativeSerializer
    lookup_field = "slug"
    queryset = Initiative.objects.none()

    def get_permissions(self):
        if self.action in ("create", "partial_update", "update"):
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        user = self.request.user
        mine = selectors.initiative_list_for(user)
        public = Initiative.objects.filter(visibility=Visibility.PUBLIC)
        return (mine | public).distinct().order_by("name")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug=None):
        initiative = initiative_for_api(request, slug, "core.read_public")
        return Response(self.get_serializer(initiative).data)

    def create(self, request):
        data = InitiativeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        initiative = services.initiative_create(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(initiative).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, slug=None):
        initiative_for_api(request, slug, "core.view_initiative")
        initiative = initiative_for_api(request, slug, "core.change_initiative")
        data = InitiativeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.initiative_update(actor=request.user, initiative=initiative, **data.validated_data)
        return Response(self.get_serializer(initiative).data)


class PartnerSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="uid", queryset=Partner.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Partner
        fields = [
            "uid",
            "name",
            "short_name",
            "kind",
            "parent",
            "depth",
            "description",
            "strengths",
            "contact_name",
            "contact_email",
        ]
        read_only_fields = ["uid", "depth"]
        extra_kwargs = {
            "description": {"max_length": limits.MEDIUM},
            "strengths": {"max_length": limits.MEDIUM},
        }
        # Uniqueness is the service's to check, with a clear message.
        validators = []


class PartnerViewSet(viewsets.ModelViewSet):
    """Partners of an initiative (a tree: `parent` is the parent partner's uid)."""

    serializer_class = PartnerSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "core.view_initiative"
    write_perm = "core.view_initiative"
    object_write_perm = "core.change_partner"
    lookup_field = "uid"
    queryset = Partner.objects.none()

    def get_queryset(self):
        return selectors.partner_list(self.initiative)

    def create(self, request, *args, **kwargs):
        if not request.user.has_perm("core.add_partner", self.initiative):
            self.permission_denied(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partner = services.partner_create(
            actor=request.user, initiative=self.initiative, **serializer.validated_data
        )
        return Response(self.get_serializer(partner).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partner = self.get_object()
        serializer = self.get_serializer(
            partner, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "parent" in fields and not request.user.has_perm("core.add_partner", self.initiative):
            self.permission_denied(request, message="Only the backbone moves partners.")
        services.partner_update(actor=request.user, partner=partner, **fields)
        return Response(self.get_serializer(partner).data)

    def destroy(self, request, *args, **kwargs):
        partner = self.get_object()
        if not request.user.has_perm("core.delete_partner", partner):
            self.permission_denied(request)
        services.partner_delete(actor=request.user, partner=partner)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.name", read_only=True)
    email = serializers.SerializerMethodField()
    function = serializers.CharField(source="user.function", read_only=True)
    level = serializers.CharField(source="user.level", read_only=True)
    partner = serializers.SlugRelatedField(
        slug_field="uid", queryset=Partner.objects.all(), required=False, allow_null=True
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "function",
            "level",
            "role",
            "partner",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def get_email(self, obj) -> str:
        # Email addresses are for the backbone only.
        request = self.context["request"]
        return obj.user.email if request.user.has_perm("core.manage_members", obj) else ""


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of an initiative. Everyone reads; the backbone changes roles and removes."""

    serializer_class = MemberSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "core.view_members"
    write_perm = "core.manage_members"
    queryset = Membership.objects.none()

    def get_queryset(self):
        return selectors.membership_list(
            self.initiative,
            search=self.request.query_params.get("search") or None,
            role=self.request.query_params.get("role") or None,
        )

    def update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = self.get_serializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.membership_update(
            actor=request.user,
            membership=membership,
            role=data.get("role", membership.role),
            partner=data.get("partner", membership.partner),
        )
        return Response(self.get_serializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        services.membership_remove(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(
        slug_field="uid", queryset=Partner.objects.all(), required=False, allow_null=True
    )
    state = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "partner", "message", "state", "expires_at"]
        read_only_fields = ["id", "state", "expires_at"]
        extra_kwargs = {"message": {"max_length": limits.SHORT}}


class InvitationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Pending invitations (backbone only). Creating one emails the link."""

    serializer_class = InvitationSerializer
    permission_classes = [InitiativeScoped]
    read_perm = "core.manage_members"
    write_perm = "core.manage_members"
    queryset = Invitation.objects.none()

    def get_queryset(self):
        return Invitation.objects.filter(
            initiative=self.initiative, accepted_at=None, revoked_at=None
        ).select_related("partner")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(
            actor=request.user, initiative=self.initiative, **serializer.validated_data
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)


_router = SimpleRouter(trailing_slash=True)
_router.register("partners", PartnerViewSet, basename="partner")
_router.register("members", MemberViewSet, basename="member")
_router.register("invitations", InvitationViewSet, basename="invitation")
initiative_urlpatterns = _router.urls
