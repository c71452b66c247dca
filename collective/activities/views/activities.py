"""Pages of activities: the list (filters, CSV), an activity with its claims, progress log,
milestones and dependencies, and the forms that change them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, paginate, render_page
from collective.core.models import Partner

from .. import selectors, services
from ..choices import LEVER_HELP, ActivityStatus, Lever
from ..filters import ActivityFilter
from ..forms import (
    ActivityForm,
    ClaimForm,
    DependencyForm,
    MilestoneForm,
    ProgressForm,
    ReviewForm,
)
from ..models import Milestone
from ._common import base_context, csv_response


def _own_partners(request):
    """Partners the person may add activities for: all (backbone) or their own subtree."""
    initiative = request.initiative
    qs = Partner.objects.filter(initiative=initiative).order_by("name")
    if request.user.has_perm("activities.manage", initiative):
        return qs
    membership = request.membership
    if membership is None or membership.partner is None:
        return qs.none()
    return qs.filter(path__startswith=membership.partner.path)


@initiative_view("activities.view")
def index(request):
    initiative = request.initiative
    qs = selectors.activity_list(initiative)
    filterset = ActivityFilter(request.GET or None, queryset=qs)
    activities = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    if request.GET.get("format") == "csv":
        return csv_response(
            f"{initiative.slug}-activities.csv",
            [
                "uid",
                "partner",
                "title",
                "status",
                "lever",
                "start",
                "end",
                "percent_complete",
                "claims",
                "budget",
                "funder",
                "waiting",
            ],
            (
                [
                    a.uid,
                    a.partner.name,
                    a.title,
                    a.get_status_display(),
                    a.get_lever_display(),
                    a.start or "",
                    a.end or "",
                    a.percent_complete,
                    a.claim_count,
                    a.budget if a.budget is not None else "",
                    a.funder,
                    a.waiting_reason,
                ]
                for a in activities
            ),
        )
    page = paginate(request, activities, per_page=25)
    context = {
        **base_context(request, "index"),
        "filter": filterset,
        "page": page,
        "has_any": page.paginator.count > 0 or filterset.is_bound,
        "partners": selectors.partners(initiative),
        "outcomes": selectors.outcomes_current(initiative),
        "statuses": ActivityStatus.choices,
        "levers": Lever.choices,
        "query": request.GET.urlencode(),
        "params": {k: v for k, v in request.GET.items() if k != "page"},
    }
    return render_page(request, "activities/activity_list.html", context, partial="results")


@initiative_view("activities.add_activity")
def activity_create(request):
    initiative = request.initiative
    partners = _own_partners(request)
    initial = {}
    if request.membership and request.membership.partner:
        initial["partner"] = request.membership.partner.uid
    form = ActivityForm(
        request.POST or None, initiative=initiative, partners=partners, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            activity = services.activity_create(actor=request.user, initiative=initiative, **data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"“{activity.title}” is added. Now say which outcome it contributes to.",
            )
            return redirect("activities:claim-create", slug=initiative.slug, uid=activity.uid)
    return render(
        request,
        "activities/activity_form.html",
        {
            **base_context(request, "index"),
            "form": form,
            "activity": None,
            "lever_help": LEVER_HELP,
        },
    )


def _activity(request, uid, perm=None):
    activity = selectors.activity_get(request.initiative, uid)
    if perm and not request.user.has_perm(perm, activity):
        raise PermissionDenied
    return activity


@initiative_view("activities.view")
def activity_detail(request, uid):
    activity = _activity(request, uid)
    user = request.user
    detail = selectors.activity_detail(activity)
    can_change = user.has_perm("activities.change_activity", activity)
    can_progress = user.has_perm("activities.update_progress", activity)
    can_review = user.has_perm("activities.review_claim", activity)
    context = {
        **base_context(request, "index"),
        "activity": activity,
        **detail,
        "can_change": can_change,
        "can_progress": can_progress,
        "can_review": can_review,
        "progress_form": ProgressForm() if can_progress else None,
        "milestone_form": MilestoneForm() if can_progress else None,
        "dependency_form": DependencyForm(activity=activity) if can_change else None,
        "lever_help": LEVER_HELP.get(activity.lever, ""),
    }
    return render_page(request, "activities/activity_detail.html", context, partial="progress")


@initiative_view("activities.view")
def activity_edit(request, uid):
    activity = _activity(request, uid, "activities.change_activity")
    initiative = request.initiative
    form = ActivityForm(
        request.POST or None,
        initiative=initiative,
        partners=_own_partners(request),
        initial=ActivityForm.initial_from(activity),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(actor=request.user, activity=activity, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"“{activity.title}” is saved.")
            return redirect(activity)
    return render(
        request,
        "activities/activity_form.html",
        {
            **base_context(request, "index"),
            "form": form,
            "activity": activity,
            "lever_help": LEVER_HELP,
        },
    )


@initiative_view("activities.view")
def activity_delete(request, uid):
    activity = _activity(request, uid, "activities.change_activity")
    if request.method == "POST":
        try:
            services.activity_delete(actor=request.user, activity=activity)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(activity)
        messages.success(request, f"“{activity.title}” is removed.")
        return redirect("activities:index", slug=request.initiative.slug)
    return render(
        request,
        "activities/confirm.html",
        {
            **base_context(request, "index"),
            "title": f"Remove “{activity.title}”?",
            "body": "Its claims, progress log, milestones and dependencies go with it. This cannot "
            "be undone.",
            "button": "Remove the activity",
            "back": activity.get_absolute_url(),
        },
    )


@require_POST
@initiative_view("activities.view")
def activity_progress(request, uid):
    activity = _activity(request, uid, "activities.update_progress")
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.progress_add(actor=request.user, activity=activity, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Progress recorded.")
            if request.htmx:
                form = ProgressForm()
    if not request.htmx:
        if form.errors:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(activity)
    detail = selectors.activity_detail(activity)
    return render(
        request,
        "activities/activity_detail.html#progress",
        {
            "activity": activity,
            **detail,
            "progress_form": form,
            "can_progress": True,
        },
    )


@require_POST
@initiative_view("activities.view")
def activity_acknowledge(request, uid):
    activity = _activity(request, uid, "activities.change_activity")
    services.waiting_clear(actor=request.user, activity=activity)
    messages.success(request, "Marked as seen: the delay is planned for.")
    return redirect(activity)


@require_POST
@initiative_view("activities.view")
def milestone_add(request, uid):
    activity = _activity(request, uid, "activities.update_progress")
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=request.user, activity=activity, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Milestone added.")
    else:
        messages.error(request, "Give the milestone a name.")
    return redirect(activity)


@require_POST
@initiative_view("activities.view")
def milestone_done(request, uid, pk):
    activity = _activity(request, uid, "activities.update_progress")
    milestone = Milestone.objects.filter(activity=activity, pk=pk).first()
    if milestone is None:
        messages.error(request, "That milestone is gone.")
        return redirect(activity)
    milestone.activity = activity
    services.milestone_set_done(
        actor=request.user, milestone=milestone, done=request.POST.get("done") == "1"
    )
    return redirect(activity)


@require_POST
@initiative_view("activities.view")
def dependency_add(request, uid):
    activity = _activity(request, uid, "activities.change_activity")
    form = DependencyForm(request.POST, activity=activity)
    if form.is_valid():
        try:
            services.dependency_add(actor=request.user, activity=activity, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Dependency on “{form.cleaned_data['needs'].title}” added.")
    else:
        messages.error(request, "Choose the activity this one needs.")
    return redirect(activity)


@require_POST
@initiative_view("activities.view")
def dependency_remove(request, uid, pk):
    activity = _activity(request, uid, "activities.change_activity")
    dependency = selectors.dependency_get(request.initiative, pk)
    if dependency.activity_id != activity.pk:
        messages.error(request, "That dependency belongs to another activity.")
        return redirect(activity)
    services.dependency_remove(actor=request.user, dependency=dependency)
    messages.success(request, "Dependency removed.")
    return redirect(activity)


# --- Claims ----------------------------------------------------------------------------------


def _claim_targets(request, form):
    data = dict(form.cleaned_data)
    uid = data.pop("outcome", "") or ""
    data["outcome"] = selectors.outcome_get(request.initiative, uid) if uid else None
    data["links"] = (data.get("links") or "").split()
    return data


@initiative_view("activities.view")
def claim_create(request, uid):
    activity = _activity(request, uid, "activities.change_activity")
    initial = {}
    if request.GET.get("outcome"):
        initial["outcome"] = request.GET["outcome"]
    form = ClaimForm(request.POST or None, initiative=request.initiative, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(
                actor=request.user, activity=activity, **_claim_targets(request, form)
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            target = claim.outcome or claim.indicator
            messages.success(request, f"Claim on “{target}” recorded.")
            return redirect(activity)
    return render(
        request,
        "activities/claim_form.html",
        {
            **base_context(request, "index"),
            "form": form,
            "activity": activity,
            "claim": None,
        },
    )


def _claim(request, uid, perm):
    claim = selectors.claim_get(request.initiative, uid)
    if not request.user.has_perm(perm, claim.activity):
        raise PermissionDenied
    return claim


@initiative_view("activities.view")
def claim_edit(request, uid):
    claim = _claim(request, uid, "activities.change_activity")
    initial = {
        "outcome": str(claim.outcome.uid) if claim.outcome else "",
        "indicator": claim.indicator.code if claim.indicator else None,
        "strength": claim.strength,
        "rationale": claim.rationale,
        "evidence": claim.evidence,
        "links": "\n".join(claim.links),
        "alternatives": claim.alternatives,
    }
    form = ClaimForm(request.POST or None, initiative=request.initiative, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(actor=request.user, claim=claim, **_claim_targets(request, form))
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Claim saved.")
            return redirect(claim.activity)
    return render(
        request,
        "activities/claim_form.html",
        {
            **base_context(request, "index"),
            "form": form,
            "activity": claim.activity,
            "claim": claim,
        },
    )


@require_POST
@initiative_view("activities.view")
def claim_remove(request, uid):
    claim = _claim(request, uid, "activities.change_activity")
    services.claim_remove(actor=request.user, claim=claim)
    messages.success(request, "Claim removed.")
    return redirect(claim.activity)


@initiative_view("activities.view")
def claim_review(request, uid):
    claim = _claim(request, uid, "activities.review_claim")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.claim_review(actor=request.user, claim=claim, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"You marked the claim {review.get_verdict_display().lower()}."
            )
            return redirect(claim.activity)
    return render(
        request,
        "activities/claim_review.html",
        {
            **base_context(request, "index"),
            "form": form,
            "claim": claim,
            "activity": claim.activity,
        },
    )
