"""One JSON error shape for the API: {"message", "code", "errors": {field: [messages]}}.

A service's `ApplicationError` answers with the status its code maps to (`core.errors`).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from collective.core.errors import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "code": exc.code, "errors": exc.errors},
            status=exc.status,
        )
    if isinstance(exc, DjangoValidationError):
        # A value a lookup or a model refused (e.g. a malformed uid): bad input, not a crash.
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            {"message": exc.messages[0], "code": "invalid", "errors": errors}, status=400
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {
            "message": "Some fields are not valid.",
            "code": "invalid",
            "errors": errors,
        }
    elif isinstance(exc, Http404 | PermissionDenied | exceptions.APIException):
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        response.data = {
            "message": str(detail),
            "code": getattr(detail, "code", "error"),
            "errors": {},
        }
    return response
