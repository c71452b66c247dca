"""Pages of partner strengths (the capability list, ratings, the "who is strong at" finder) and
of the relationship survey rounds."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, is_uuid

from .. import network, selectors, services
from ..choices import RATING_LABELS, RoundStatus
from ..forms import CapabilityForm, RoundForm, StrengthsForm, SurveyAnswerForm
from ._common import base_context


def _acting_partner(request):
    """The partner a lead acts for, or (backbone) the partner chosen with ?partner=uid."""
    initiative = request.initiative
    uid = request.GET.get("partner") or request.POST.get("partner") or ""
    if request.user.has_perm("activities.manage", initiative) and is_uuid(uid):
        return initiative.partners.filter(uid=uid).first()
    membership = request.membership
    return membership.partner if membership else None


@initiative_view("activities.view")
def strengths(request):
    initiative = request.initiative
    capabilities = list(selectors.capability_list(initiative))
    partners = selectors.partners(initiative)
    ratings = selectors.strengths_by_partner(initiative)
    chosen = None
    cap_id = request.GET.get("capability", "")
    if cap_id.isdigit():
        chosen = next((c for c in capabilities if c.pk == int(cap_id)), None)
    finder = selectors.strong_at(initiative, chosen) if chosen else []
    grid = [(p, [ratings.get(p.pk, {}).get(c.pk) for c in capabilities]) for p in partners]
    context = {
        **base_context(request, "strengths"),
        "capabilities": capabilities,
        "grid": grid,
        "chosen": chosen,
        "finder": finder,
        "can_rate": request.user.has_perm("activities.rate_strengths", initiative),
        "capability_form": CapabilityForm(),
        "rated_partners": sum(1 for p in partners if ratings.get(p.pk)),
    }
    return render(request, "activities/strengths.html", context)


@initiative_view("activities.rate_strengths")
def strengths_rate(request):
    initiative = request.initiative
    partner = _acting_partner(request)
    if partner is None:
        messages.info(request, "Choose the partner whose strengths you rate.")
        return redirect("activities:strengths", slug=initiative.slug)
    if not request.user.has_perm("activities.change_activity", partner):
        raise PermissionDenied
    capabilities = list(selectors.capability_list(initiative))
    current = selectors.strengths_by_partner(initiative).get(partner.pk, {})
    form = StrengthsForm(request.POST or None, capabilities=capabilities, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.strengths_rate(
                actor=request.user, partner=partner, ratings=form.ratings()
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{partner.name}'s strengths are saved ({len(changes)} changed)."
                if changes
                else "Nothing changed.",
            )
            return redirect("activities:strengths", slug=initiative.slug)
    return render(
        request,
        "activities/strengths_rate.html",
        {
            **base_context(request, "strengths"),
            "form": form,
            "partner": partner,
            "capabilities": capabilities,
        },
    )


@require_POST
@initiative_view("activities.manage")
def capability_add(request):
    initiative = request.initiative
    if request.POST.get("defaults"):
        added = services.capabilities_add_defaults(actor=request.user, initiative=initiative)
        messages.success(
            request,
            f"{len(added)} suggested capabilities added."
            if added
            else "The suggested capabilities are all on the list already.",
        )
        return redirect("activities:strengths", slug=initiative.slug)
    form = CapabilityForm(request.POST)
    if form.is_valid():
        try:
            services.capability_create(
                actor=request.user, initiative=initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"“{form.cleaned_data['name']}” added.")
    else:
        messages.error(request, "Give the capability a name.")
    return redirect("activities:strengths", slug=initiative.slug)


@initiative_view("activities.manage")
def capability_edit(request, pk):
    capability = selectors.capability_get(request.initiative, pk)
    form = CapabilityForm(
        request.POST or None,
        initial={
            "name": capability.name,
            "description": capability.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.capability_update(
                actor=request.user, capability=capability, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Capability saved.")
            return redirect("activities:strengths", slug=request.initiative.slug)
    return render(
        request,
        "activities/capability_form.html",
        {
            **base_context(request, "strengths"),
            "form": form,
            "capability": capability,
        },
    )


@require_POST
@initiative_view("activities.manage")
def capability_remove(request, pk):
    capability = selectors.capability_get(request.initiative, pk)
    services.capability_remove(actor=request.user, capability=capability)
    messages.success(request, f"“{capability.name}” removed, with its ratings.")
    return redirect("activities:strengths", slug=request.initiative.slug)


# --- Survey rounds ---------------------------------------------------------------------------


@initiative_view("activities.view")
def surveys(request):
    initiative = request.initiative
    rounds = list(selectors.round_list(initiative))
    membership = request.membership
    context = {
        **base_context(request, "surveys"),
        "rounds": rounds,
        "open_round": next((r for r in rounds if r.status == RoundStatus.OPEN), None),
        "can_answer": request.user.has_perm("activities.answer_survey", initiative)
        and membership is not None
        and membership.partner_id is not None,
        "partner_count": initiative.partners.count(),
    }
    return render(request, "activities/surveys.html", context)


@initiative_view("activities.manage")
def survey_create(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.round_open(
                actor=request.user, initiative=request.initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"“{survey.title}” is open: partner leads can answer.")
            return redirect(survey)
    return render(
        request,
        "activities/survey_form.html",
        {
            **base_context(request, "surveys"),
            "form": form,
        },
    )


@initiative_view("activities.view")
def survey_detail(request, uid):
    initiative = request.initiative
    survey = selectors.round_get(initiative, uid)
    view = network.survey_network(initiative, survey)
    found = network.mismatches(initiative, survey)
    membership = request.membership
    mine = []
    if membership and membership.partner_id:
        mine = selectors.answers_of(survey, membership.partner)
    context = {
        **base_context(request, "surveys"),
        "survey": survey,
        "view": view,
        "rows": sorted(view.rows, key=lambda r: r.partner.name),
        "reported_only": [m for m in found if m.kind == "reported_only"],
        "work_only": [m for m in found if m.kind == "work_only"],
        "mine": mine,
        "can_answer": survey.status == RoundStatus.OPEN
        and request.user.has_perm("activities.answer_survey", initiative)
        and membership is not None
        and membership.partner_id is not None,
    }
    return render(request, "activities/survey_detail.html", context)


@initiative_view("activities.answer_survey")
def survey_answer(request, uid):
    initiative = request.initiative
    survey = selectors.round_get(initiative, uid)
    partner = _acting_partner(request)
    if partner is None:
        messages.error(request, "Only people who act for a partner answer the survey.")
        return redirect(survey)
    if survey.status != RoundStatus.OPEN:
        messages.error(request, f"“{survey.title}” is closed.")
        return redirect(survey)
    others = [p for p in selectors.partners(initiative) if p.pk != partner.pk]
    current = {a.about_id: a for a in selectors.answers_of(survey, partner)}
    form = SurveyAnswerForm(request.POST or None, partners=others, current=current)
    error_message = ""
    if request.method == "POST" and form.is_valid():
        try:
            count = services.survey_answer(
                actor=request.user, survey=survey, respondent=partner, answers=form.answers()
            )
        except ApplicationError as error:
            error_message = error.message
        else:
            messages.success(request, f"Thank you: {count} answers saved for {partner.name}.")
            return redirect(survey)
    return render(
        request,
        "activities/survey_answer.html",
        {
            **base_context(request, "surveys"),
            "form": form,
            "survey": survey,
            "partner": partner,
            "error_message": error_message,
            "rating_labels": RATING_LABELS,
        },
    )


@require_POST
@initiative_view("activities.manage")
def survey_close(request, uid):
    survey = selectors.round_get(request.initiative, uid)
    try:
        services.round_close(actor=request.user, survey=survey)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{survey.title}” is closed.")
    return redirect(survey)
