"""Django admin for superusers: people's accounts, and the platform's data read-only.

Every write of initiative data goes through the services: they validate, keep the partner
tree's paths and the roll-ups right, raise the hooks other apps listen to and record the audit
entry. The admin saves models directly, so it offers no add, change or delete for initiative
data (a partner saved there once got an empty path, which the rules read as "every partner").
It keeps what the admin is for: looking things up, and managing accounts (passwords, staff
flags, deactivating someone). Audit entries are read-only for everyone.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Initiative, Invitation, Membership, Partner, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows; adds, changes and deletes go through the services (pages and API)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "function", "level")}),
    )
    list_display = ("username", "display_name", "email", "function", "level", "is_staff")
    search_fields = ("username", "display_name", "email")

    def has_delete_permission(self, request, obj=None):
        # Deleting a person would drop their memberships behind the services' back (and could
        # leave an initiative without backbone): deactivate the account instead.
        return False


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "partner")


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "visibility", "stage", "created_at")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ("name", "initiative", "kind", "parent", "depth", "path")
    list_filter = ("initiative", "kind")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "initiative", "role", "partner")
    list_filter = ("initiative", "role")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "initiative", "role", "partner", "expires_at", "accepted_at")
    list_filter = ("initiative",)
    exclude = ("token_hash",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "initiative", "actor", "verb", "target_type", "target_repr")
    list_filter = ("initiative", "verb", "target_type")
