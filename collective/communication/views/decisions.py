"""Pages of the decision register."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, paginate, render_page

from .. import selectors, services
from ..choices import DecisionStatus
from ..filters import DecisionFilter
from ..forms import ConcludeForm, DecisionForm, ProposalForm, ReviewForm, VoteForm, aware
from ..models import DecisionVote, Occurrence
from .common import form_page, perms


@initiative_view("communication.view")
def decision_list(request):
    filterset = DecisionFilter(request.GET, queryset=selectors.decision_list(request.initiative))
    return render_page(
        request,
        "communication/decision_list.html",
        {**perms(request), "filter": filterset, "page": paginate(request, filterset.qs, 30)},
        partial="rows",
    )


@initiative_view("communication.manage")
def decision_create(request):
    initiative = request.initiative
    initial = {}
    if occ_uid := request.GET.get("meeting"):
        from collective.core.http import is_uuid

        occurrence = (
            Occurrence.objects.filter(initiative=initiative, uid=occ_uid).first()
            if is_uuid(occ_uid)
            else None
        )
        if occurrence is not None:
            initial = {"occurrence": occurrence.pk, "method": "meeting"}
    form = DecisionForm(request.POST or None, initial=initial, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["outcomes"] = list(data["outcomes"])
        data["indicators"] = list(data["indicators"])
        try:
            decision = services.decision_record(actor=request.user, initiative=initiative, **data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Decision D{decision.number} recorded; members were told.")
            if decision.occurrence_id:
                return redirect(decision.occurrence)
            return redirect(decision)
    return form_page(
        request,
        form,
        title="Record a decision",
        purpose="A decision taken in a meeting or by the backbone: how it was made, who was "
        "consulted, who sees it through and when to review it.",
        submit="Record decision",
        cancel="communication:decision-list",
    )


@initiative_view("communication.manage")
def decision_propose(request):
    initiative = request.initiative
    form = ProposalForm(request.POST or None, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["asked"] = list(data["asked"])
        data["deadline"] = aware(data["deadline"])
        try:
            decision = services.decision_propose(actor=request.user, initiative=initiative, **data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Proposal D{decision.number} is open; the people asked were told."
            )
            return redirect(decision)
    return form_page(
        request,
        form,
        title="Propose a decision",
        purpose="Decide between meetings: people respond with support, objection or abstention "
        "and their reasons before the deadline.",
        submit="Open the proposal",
        cancel="communication:decision-list",
    )


@initiative_view("communication.view")
def decision_detail(request, number):
    decision = selectors.decision_get(request.initiative, number)
    user = request.user
    my_vote = DecisionVote.objects.filter(decision=decision, user=user).first()
    votes = list(decision.votes.select_related("user"))
    context = {
        **perms(request),
        "decision": decision,
        "tally": selectors.decision_tally(decision),
        "votes": votes,
        "my_vote": my_vote,
        "can_vote": decision.status == DecisionStatus.PROPOSED
        and my_vote is None
        and user.has_perm("communication.vote", decision),
        "vote_form": VoteForm(),
        "conclude_form": ConcludeForm(),
        "review_form": ReviewForm(),
        "follow": selectors.decision_follow_through(decision)
        if decision.status == DecisionStatus.TAKEN
        else None,
        "outcomes": list(decision.outcomes.all()),
        "indicators": list(decision.indicators.all()),
        "asked": list(decision.asked.all()),
    }
    return render(request, "communication/decision_detail.html", context)


@require_POST
@initiative_view("communication.view")
def decision_vote(request, number):
    decision = selectors.decision_get(request.initiative, number)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose support, object or abstain.")
        return redirect(decision)
    try:
        services.decision_vote(actor=request.user, decision=decision, **form.cleaned_data)
    except ApplicationError as error:
        if error.code == "forbidden":
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, "Your response is recorded.")
    return redirect(decision)


@initiative_view("communication.manage")
def decision_conclude(request, number):
    decision = selectors.decision_get(request.initiative, number)
    form = ConcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_conclude(actor=request.user, decision=decision, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"D{decision.number} is decided; members were told.")
            return redirect(decision)
    return form_page(
        request,
        form,
        title=f"Conclude D{decision.number}: {decision.title}",
        purpose="Write the outcome. It need not follow the majority — say why.",
        submit="Record the decision",
        cancel=decision.get_absolute_url(),
        extra={"tally": selectors.decision_tally(decision)},
    )


@require_POST
@initiative_view("communication.manage")
def decision_review(request, number):
    decision = selectors.decision_get(request.initiative, number)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write what the review found.")
        return redirect(decision)
    try:
        services.decision_review(actor=request.user, decision=decision, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Review recorded.")
    return redirect(decision)
