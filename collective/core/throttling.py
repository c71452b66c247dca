"""Sign-in that resists guessing: request rates and the lockout answer.

- django-axes locks an account out (per username and address) after `AXES_FAILURE_LIMIT` wrong
  passwords, on the sign-in page, the admin sign-in and the token endpoint alike;
  `lockout_response` is its answer: 429 with `Retry-After`, JSON under /api/.
- DRF's throttles limit API requests per user and per anonymous address (`THROTTLE_RATES` in
  settings, from the environment). The classes here read the rates when they run, so a test can
  change them with `override_settings`.
- `SignInThrottleMiddleware` applies the same throttles to the posts of the sign-in pages and the
  password-reset form, by address; `rate_allows` limits password-reset emails per account.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from rest_framework import throttling

from .inputs import error_response, is_api


def _rates() -> dict:
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})


class _RatesFromSettings:
    def get_rate(self):
        return _rates().get(self.scope)


class AnonThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    """Anonymous API requests, per address."""


class UserThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    """Signed-in API requests, per user (anonymous ones fall back to the address)."""


class ScopedThrottle(_RatesFromSettings, throttling.ScopedRateThrottle):
    """A view's own `throttle_scope` (the token endpoint: "auth"), per user or address."""


class KeyThrottle(_RatesFromSettings, throttling.SimpleRateThrottle):
    """A rate for any key: an address on a page, an account for reset emails."""

    def __init__(self, scope: str, ident: str):
        self.scope = scope
        self.ident = ident
        super().__init__()

    def get_cache_key(self, request, view):
        return f"throttle_{self.scope}_{self.ident}"

    def wait_needed(self) -> int:
        """Seconds until one more use is allowed (0: now), without counting a use."""
        if self.rate is None:
            return 0
        self.key = self.get_cache_key(None, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) < self.num_requests:
            return 0
        return math.ceil(self.wait() or 1)

    def record(self) -> None:
        """Count one use (after `wait_needed`)."""
        if self.rate is not None:
            self.throttle_success()


def rate_allows(scope: str, key: str) -> tuple[bool, int]:
    """Count one use of `key` under `scope`'s rate: (allowed, seconds to wait if not)."""
    limiter = KeyThrottle(scope, key)
    if limiter.allow_request(None, None):
        return True, 0
    return False, math.ceil(limiter.wait() or 1)


def client_address(request) -> str:
    """The caller's address as DRF's throttles see it (NUM_PROXIES decides X-Forwarded-For)."""
    return throttling.BaseThrottle().get_ident(request)


def too_many(request, *, wait: int, message: str, template: str = "429.html"):
    """429 with Retry-After: the API's JSON error, or a page saying when to try again."""
    if is_api(request):
        response = error_response(request, message=message, status=429, code="throttled")
    else:
        response = render(request, template, {"message": message, "wait": wait}, status=429)
    response["Retry-After"] = str(max(1, int(wait)))
    return response


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer once an account is locked after too many wrong passwords."""
    wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return too_many(
        request,
        wait=wait,
        message=(
            "Too many wrong passwords: sign-in for this account is paused for "
            f"{_minutes(wait)}. Try again later, or reset your password."
        ),
    )


class SignInThrottleMiddleware:
    """Limit per address the failed sign-ins (page and admin) — many people behind one office
    address still sign in — and every post of the password-reset form."""

    SCOPES = {"login": "login", "admin:login": "login", "password_reset": "password_reset"}

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: dict[str, str] | None = None

    def paths(self) -> dict[str, str]:
        if self._paths is None:
            self._paths = {reverse(name): scope for name, scope in self.SCOPES.items()}
        return self._paths

    def __call__(self, request):
        scope = self.paths().get(request.path) if request.method == "POST" else None
        if scope is None:
            return self.get_response(request)
        limiter = KeyThrottle(scope, client_address(request))
        wait = limiter.wait_needed()
        if wait:
            return too_many(
                request,
                wait=wait,
                message=f"Too many attempts from your address. Try again in {_minutes(wait)}.",
            )
        response = self.get_response(request)
        signed_in = scope == "login" and response.status_code in (301, 302, 303)
        if not signed_in:
            limiter.record()
        return response
