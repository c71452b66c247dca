"""Middleware of the platform: htmx responses that caches keep apart from full pages."""

from __future__ import annotations

from django.utils.cache import patch_vary_headers


class HtmxVaryMiddleware:
    """`Vary: HX-Request` on every HTML response.

    A page answers an htmx request with one of its partials, at the same URL as the full page:
    without the header a browser (or a proxy) may serve the partial from its cache as the
    whole page, e.g. on "back", or the full page where htmx expected the partial.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("HX-Request",))
        return response
