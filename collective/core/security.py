"""Defence in depth for pages: the Permissions-Policy header and who may frame a page.

The Content-Security-Policy itself comes from django-csp (settings.CONTENT_SECURITY_POLICY):
scripts only from this site or with the request's nonce, no `unsafe-eval` (charts use Vega's
expression interpreter), and `frame-ancestors 'none'` — no other site may frame a page — unless
a view says otherwise with `@frame_ancestors(...)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings

# An origin a page may be framed by: https://host[:port] (http only for localhost), nothing
# that could end a CSP directive or add a source of its own.
_ORIGIN = re.compile(
    r"^(https://[a-z0-9.-]+(:\d{1,5})?|http://(localhost|127\.0\.0\.1)(:\d{1,5})?)$"
)


def clean_origins(origins: Iterable[str]) -> list[str]:
    """The valid origins among `origins` (lower-cased, without a trailing slash)."""
    cleaned = []
    for origin in origins:
        origin = (origin or "").strip().lower().rstrip("/")
        if _ORIGIN.match(origin) and origin not in cleaned:
            cleaned.append(origin)
    return cleaned


def frame_ancestors(origins_for: Callable[..., Iterable[str]]):
    """Let the sites `origins_for(request)` returns frame this view (an embed of a public
    scorecard or indicator, for instance); everyone else still may not.

        @initiative_view("measurement.view_public_measures")
        @frame_ancestors(lambda request: request.initiative.embed_origins)
        def indicator_embed(request, code): ...

    With no valid origin the page keeps the site's default (`frame-ancestors 'none'` and
    `X-Frame-Options: DENY`).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            origins = clean_origins(origins_for(request) or ())
            if origins:
                response._csp_replace = {"frame-ancestors": origins}
                response.xframe_options_exempt = True  # CSP says who may frame it instead
            return response

        return wrapper

    return decorator


class PermissionsPolicyMiddleware:
    """Switch off browser features no page of Collective uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_OFF)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
