"""Friendly error pages, and the API's JSON error shape for every error under /api/."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from .inputs import error_response, is_api


def bad_request(request, exception=None):
    return error_response(
        request,
        message="The request could not be read: check what was sent and try again.",
        status=400,
    )


def permission_denied(request, exception=None):
    if is_api(request):
        return error_response(
            request, message="You do not have permission to do this.", status=403, code="forbidden"
        )
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if is_api(request):
        return error_response(
            request,
            message="There is no such address in the API: see /api/docs/ for what exists.",
            status=404,
        )
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    if is_api(request):
        return error_response(
            request,
            message="The CSRF check failed: send the CSRF token with session-authenticated "
            "writes, or use token authentication.",
            status=403,
            code="csrf_failed",
        )
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)


def server_error(request):
    if is_api(request):
        return JsonResponse(
            {"message": "The server could not finish this request.", "code": "error", "errors": {}},
            status=500,
        )
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
