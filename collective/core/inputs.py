"""Bad input stops at the door: NUL characters, lone surrogates, over-long text and deep JSON.

Every request passes `InputGuardMiddleware` (the path, the query string and form posts) and every
API body the JSON parser of `core/api/parsers.py`; both use the checks here, so no view, service
or database ever sees a value PostgreSQL or SQLite would choke on, and the person gets a 400 with
the field named instead of a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

# NUL cannot be stored by PostgreSQL; a lone surrogate cannot be encoded as UTF-8 at all.
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_DEPTH = 20


@dataclass(frozen=True)
class Problem:
    where: str  # the field (a dotted path into a JSON body), or "path" / "query" / "body"
    message: str
    status: int = 400


def max_text_length() -> int:
    return settings.COLLECTIVE_MAX_TEXT_LENGTH


def text_problem(value: str) -> str | None:
    """Why a piece of text cannot be accepted, or None."""
    found = _BAD_CHARACTER.search(value)
    if found:
        if found.group() == "\x00":
            return "Contains a NUL character, which text may not contain."
        return "Contains an invalid character (a lone UTF-16 surrogate)."
    limit = max_text_length()
    if len(value) > limit:
        return f"Is longer than the {limit:,} characters any text may have."
    return None


def data_problem(data, *, max_depth: int = MAX_JSON_DEPTH) -> Problem | None:
    """The first bad string (key or value) in parsed JSON, or nesting deeper than `max_depth`.

    Walks the structure without recursion, so even a pathological body costs one pass.
    """
    stack = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                return Problem(where or "body", problem)
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                return Problem(where or "body", f"Is nested more than {max_depth} levels deep.")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    problem = text_problem(key)
                    if problem:
                        return Problem(where or "body", f"A field name: {problem}")
                stack.append((item, name, depth + 1))
    return None


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, *, message: str, status: int, errors: dict | None = None, code=""):
    """The API's JSON error shape under /api/, the friendly error page elsewhere."""
    code = code or {400: "invalid", 404: "not_found", 413: "too_large"}.get(status, "error")
    if is_api(request):
        return JsonResponse(
            {"message": message, "code": code, "errors": errors or {}}, status=status
        )
    return render(
        request,
        "400.html",
        {"message": message, "errors": errors or {}, "status": status},
        status=status,
    )


FORM_TYPES = ("application/x-www-form-urlencoded",)


class InputGuardMiddleware:
    """Refuse requests whose path, query or form fields hold text no field may hold, and API
    bodies larger than `API_MAX_BODY_BYTES` (413), before any view or parser reads them.

    Multipart bodies are left to the forms (Django's form fields refuse NUL too) so that upload
    views can still choose their upload handlers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.problem(request)
        if problem is not None:
            return error_response(
                request,
                message=(
                    f"The request is larger than the {settings.API_MAX_BODY_BYTES:,} bytes the "
                    "API accepts: send fewer rows at a time."
                    if problem.status == 413
                    else "The request holds text that cannot be accepted: "
                    f"{problem.where}: {problem.message}"
                ),
                status=problem.status,
                errors={problem.where: [problem.message]},
            )
        return self.get_response(request)

    def problem(self, request) -> Problem | None:
        if is_api(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return Problem("body", "The Content-Length header is not a number.")
            if length > settings.API_MAX_BODY_BYTES:
                return Problem("body", "The body is too large.", status=413)
        if _BAD_CHARACTER.search(request.path):
            return Problem("path", "The address contains a character it may not contain.")
        found = self._query_problem(request.GET)
        if found:
            return found
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if request.method == "POST" and content_type in FORM_TYPES:
            return self._query_problem(request.POST)
        return None

    @staticmethod
    def _query_problem(query) -> Problem | None:
        for key, values in query.lists():
            for value in [key, *values]:
                problem = text_problem(value)
                if problem:
                    return Problem(key, problem)
        return None
