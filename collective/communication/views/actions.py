"""Pages of action items: the list, "my actions", one action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, is_uuid, paginate, render_page

from .. import selectors, services
from ..filters import ActionFilter
from ..forms import ActionForm, ActionStatusForm
from ..models import Decision, Occurrence
from .common import form_page, perms


def _list(request, queryset, template_title, mine: bool):
    filterset = ActionFilter(request.GET, queryset=queryset)
    return render_page(
        request,
        "communication/action_list.html",
        {
            **perms(request),
            "filter": filterset,
            "page": paginate(request, filterset.qs, 30),
            "title": template_title,
            "mine": mine,
            "today": timezone.localdate(),
            "can_create": request.user.has_perm("communication.create_action", request.initiative),
        },
        partial="rows",
    )


@initiative_view("communication.view")
def action_list(request):
    return _list(request, selectors.action_list(request.initiative), "Action items", False)


@initiative_view("communication.view")
def my_actions(request):
    return _list(
        request, selectors.my_actions(request.initiative, request.user), "My actions", True
    )


@initiative_view("communication.create_action")
def action_create(request):
    initiative = request.initiative
    links = {}
    meeting = request.GET.get("meeting") or request.POST.get("meeting")
    if meeting and is_uuid(meeting):
        links["occurrence"] = Occurrence.objects.filter(initiative=initiative, uid=meeting).first()
    decision = request.GET.get("decision") or request.POST.get("decision")
    if decision and str(decision).isdigit():
        links["decision"] = Decision.objects.filter(initiative=initiative, number=decision).first()
    form = ActionForm(request.POST or None, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(
                actor=request.user, initiative=initiative, **links, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Action created; {action.owner or action.owner_partner} was told."
            )
            if links.get("occurrence"):
                return redirect(links["occurrence"])
            if links.get("decision"):
                return redirect(links["decision"])
            return redirect(action)
    source = links.get("occurrence") or links.get("decision")
    return form_page(
        request,
        form,
        title="New action item",
        purpose=f"From {source}." if source else "Who does what by when.",
        submit="Create action",
        cancel=source.get_absolute_url() if source else "communication:action-list",
        extra={"hidden": {"meeting": meeting or "", "decision": decision or ""}},
    )


@initiative_view("communication.view")
def action_detail(request, uid):
    action = selectors.action_get(request.initiative, uid)
    return render(
        request,
        "communication/action_detail.html",
        {
            **perms(request),
            "action": action,
            "can_change": request.user.has_perm("communication.change_action", action),
            "status_form": ActionStatusForm(initial={"status": action.status}),
            "today": timezone.localdate(),
        },
    )


@initiative_view("communication.view")
def action_edit(request, uid):
    action = selectors.action_get(request.initiative, uid)
    if not request.user.has_perm("communication.change_action", action):
        raise PermissionDenied
    initial = {
        "title": action.title,
        "owner": action.owner_id,
        "owner_partner": action.owner_partner_id,
        "due_date": action.due_date,
        "description": action.description,
        "outcome": action.outcome_id,
        "indicator": action.indicator_id,
        "status": action.status,
    }
    form = ActionForm(
        request.POST or None, initial=initial, initiative=request.initiative, with_status=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(actor=request.user, action=action, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Action saved.")
            return redirect(action)
    return form_page(
        request, form, title="Edit action", submit="Save action", cancel=action.get_absolute_url()
    )


@require_POST
@initiative_view("communication.view")
def action_status(request, uid):
    action = selectors.action_get(request.initiative, uid)
    if not request.user.has_perm("communication.change_action", action):
        raise PermissionDenied
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            services.action_update(
                actor=request.user, action=action, status=form.cleaned_data["status"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Marked “{action.get_status_display().lower()}”.")
    else:
        messages.error(request, "Choose a status.")
    return redirect(request.POST.get("next") if _safe(request.POST.get("next")) else action)


def _safe(url) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")
