"""Django admin for superusers."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Initiative, Invitation, Membership, Partner, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "function", "level")}),
    )
    list_display = ("username", "display_name", "email", "function", "level", "is_staff")
    search_fields = ("username", "display_name", "email")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "stage", "created_at")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "initiative", "kind", "parent", "depth")
    list_filter = ("initiative", "kind")
    search_fields = ("name",)
    readonly_fields = ("path", "depth")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "initiative", "role", "partner")
    list_filter = ("initiative", "role")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "initiative", "role", "partner", "expires_at", "accepted_at")
    list_filter = ("initiative",)
    readonly_fields = ("token_hash",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "initiative", "actor", "verb", "target_type", "target_repr")
    list_filter = ("initiative", "verb", "target_type")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
