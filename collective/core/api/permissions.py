"""API access: resolve the initiative from the URL and check the same rules as the pages."""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, permissions

from collective.core.models import Initiative
from collective.core.rules import membership_for

# A uid in an API address: routers use it so a malformed one is a 404, never a lookup error.
UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def initiative_for_api(request, slug: str, perm: str) -> Initiative:
    """404 for initiatives the caller may not know; 403 when known but not permitted."""
    initiative = Initiative.objects.filter(slug=slug).first()
    user = request.user
    if initiative is not None and user.has_perm(perm, initiative):
        return initiative
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if initiative is None:
        raise Http404("No such initiative.")
    if membership_for(user, initiative) or user.has_perm("core.see_listing", initiative):
        raise exceptions.PermissionDenied()
    raise Http404("No such initiative.")


class InitiativeScoped(permissions.BasePermission):
    """Views declare `read_perm` and `write_perm`; the initiative comes from the URL `slug`."""

    def has_permission(self, request, view) -> bool:
        slug = view.kwargs.get("slug")
        if slug is None:
            return True
        perm = view.read_perm if request.method in permissions.SAFE_METHODS else view.write_perm
        if request.method not in permissions.SAFE_METHODS and view.read_perm:
            # Non-members learn nothing: check read access first (404), then write (403).
            initiative_for_api(request, slug, view.read_perm)
        view.initiative = initiative_for_api(request, slug, perm)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        perm = getattr(view, "object_write_perm", None)
        if perm and request.method not in permissions.SAFE_METHODS:
            return request.user.has_perm(perm, obj)
        return True
