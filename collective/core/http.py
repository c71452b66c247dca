"""Shared view helpers: resolve the initiative and check permission once, render partials."""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Initiative
from .rules import membership_for


def is_uuid(value) -> bool:
    """Whether a query-string value can be a uid (so a lookup by it cannot fail)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def initiative_view(perm: str = "core.view_initiative"):
    """Decorate a view taking `slug`: sets request.initiative and request.membership.

    - a signed-out visitor without access is sent to the login page (for any slug, so the
      redirect reveals nothing);
    - a signed-in non-member of a private initiative gets 404 (it stays unknown to them);
    - a person who may know the initiative but lacks `perm` gets 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            initiative = Initiative.objects.filter(slug=slug).first()
            user = request.user
            if initiative is not None and user.has_perm(perm, initiative):
                request.initiative = initiative
                request.membership = membership_for(user, initiative)
                return view(request, *args, **kwargs)
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if initiative is None:
                raise Http404("No such initiative.")
            if membership_for(user, initiative) or user.has_perm("core.see_listing", initiative):
                raise PermissionDenied
            raise Http404("No such initiative.")

        wrapper.required_perm = perm
        return wrapper

    return decorator


def check_perm(request, perm: str, obj) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def wants_partial(request) -> bool:
    """Whether to answer with a part of the page: an htmx request for a part, not a boosted
    link (it swaps the whole body) and not a history restore (htmx found no copy of the page
    in its history cache and asks for the whole page to put back)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(request, template: str, context: dict, partial: str | None = None):
    """The full page, or one named partial of it when htmx asks for that part only.

    Either way the response varies on `HX-Request` (`core.middleware.HtmxVaryMiddleware`)."""
    if partial and wants_partial(request):
        return render(request, f"{template}#{partial}", context)
    return render(request, template, context)


def paginate(request, queryset, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def flash_error(request, error) -> None:
    messages.error(request, error.message)


__all__ = [
    "check_perm",
    "get_object_or_404",
    "initiative_view",
    "paginate",
    "render_page",
    "wants_partial",
]
