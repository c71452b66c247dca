"""Shared helpers of the communication pages."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from collective.core.conditions import condition
from collective.core.errors import ApplicationError


def perms(request) -> dict:
    user, initiative = request.user, request.initiative
    return {
        "can_view": user.has_perm("communication.view", initiative),
        "can_take_part": user.has_perm("communication.take_part", initiative),
        "can_manage": user.has_perm("communication.manage", initiative),
        "condition": condition("communication"),
    }


def form_page(request, form, *, title, purpose="", submit="Save", cancel=None, extra=None):
    """A page with one form: title, one-line purpose, fields with labels above, errors beside."""
    return render(
        request,
        "communication/form.html",
        {
            "form": form,
            "title": title,
            "purpose": purpose,
            "submit": submit,
            "cancel": cancel,
            **(extra or {}),
            **perms(request),
        },
    )


def run(request, action, *, success: str, fallback):
    """Call a service from a POST-only view: flash its result and go back."""
    try:
        result = action()
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(fallback)
    messages.success(request, success)
    return result if hasattr(result, "status_code") else redirect(fallback)
