"""Pages of feedback loops and pulse surveys."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, paginate, render_page
from collective.core.models import Initiative

from .. import selectors, services
from ..choices import FeedbackStatus, SurveyStatus
from ..filters import FeedbackFilter
from ..forms import FeedbackForm, PublicFeedbackForm, RespondForm, SurveyForm, SurveyOpenForm, aware
from ..models import Survey, SurveyInvite
from .common import form_page, perms, run


@initiative_view("communication.view")
def feedback_board(request):
    initiative = request.initiative
    filterset = FeedbackFilter(request.GET, queryset=selectors.feedback_list(initiative))
    board = None
    if not request.GET.get("status"):
        items = list(filterset.qs[:400])
        board = [
            (status, label, [f for f in items if f.status == status])
            for status, label in FeedbackStatus.choices
        ]
    return render_page(
        request,
        "communication/feedback_board.html",
        {
            **perms(request),
            "filter": filterset,
            "board": board,
            "page": paginate(request, filterset.qs, 40) if board is None else None,
            "figures": selectors.feedback_figures(initiative),
            "settings": services.settings_for(initiative),
        },
        partial="board",
    )


@initiative_view("communication.give_feedback")
def feedback_create(request):
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.feedback_give(
                actor=request.user, initiative=request.initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Thank you: your feedback is recorded and will be answered.")
            return redirect(item)
    return form_page(
        request,
        form,
        title="Give feedback",
        purpose="Feedback loops keep momentum: the backbone answers every piece in public — "
        "you said, we did.",
        submit="Send feedback",
        cancel="communication:feedback-board",
    )


@initiative_view("communication.view")
def feedback_detail(request, uid):
    item = selectors.feedback_get(request.initiative, uid)
    return render(
        request,
        "communication/feedback_detail.html",
        {
            **perms(request),
            "item": item,
            "respond_form": RespondForm(
                initial={
                    "status": FeedbackStatus.CONSIDERED
                    if item.status == FeedbackStatus.NEW
                    else item.status,
                    "response": item.response,
                    "led_to_label": item.led_to_label,
                    "led_to_url": item.led_to_url,
                }
            ),
        },
    )


@require_POST
@initiative_view("communication.manage")
def feedback_respond(request, uid):
    item = selectors.feedback_get(request.initiative, uid)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose where the feedback moves to.")
        return redirect(item)
    return run(
        request,
        lambda: services.feedback_respond(actor=request.user, feedback=item, **form.cleaned_data),
        success="Feedback updated.",
        fallback=item,
    )


def feedback_public(request, slug, token):
    """Anonymous feedback through the initiative's link (no sign-in)."""
    initiative = Initiative.objects.filter(slug=slug).first()
    config = services.settings_for(initiative) if initiative else None
    if (
        initiative is None
        or not config.feedback_link_enabled
        or not config.feedback_token
        or not secrets.compare_digest(config.feedback_token, token)
    ):
        raise Http404("This feedback link is not valid.")
    form = PublicFeedbackForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give_by_link(initiative=initiative, token=token, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            done = True
            form = PublicFeedbackForm()
    return render(
        request,
        "communication/feedback_public.html",
        {"form": form, "initiative": initiative, "done": done},
    )


# --- Surveys ---------------------------------------------------------------------------------


@initiative_view("communication.view")
def survey_list(request):
    surveys = Survey.objects.filter(initiative=request.initiative).order_by("-created_at")
    answered = set(
        SurveyInvite.objects.filter(
            survey__initiative=request.initiative, user=request.user, responded=True
        ).values_list("survey_id", flat=True)
    )
    invited = set(
        SurveyInvite.objects.filter(
            survey__initiative=request.initiative, user=request.user
        ).values_list("survey_id", flat=True)
    )
    return render(
        request,
        "communication/survey_list.html",
        {
            **perms(request),
            "page": paginate(request, surveys, 30),
            "answered": answered,
            "invited": invited,
        },
    )


@initiative_view("communication.manage")
def survey_create(request):
    form = SurveyForm(request.POST or None, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["partners"] = list(data["partners"])
        try:
            survey = services.survey_create(
                actor=request.user, initiative=request.initiative, **data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Survey drafted: check it, then open it.")
            return redirect(survey)
    return form_page(
        request,
        form,
        title="New pulse survey",
        purpose="A few questions to take the temperature of the partnership.",
        submit="Draft survey",
        cancel="communication:survey-list",
    )


@initiative_view("communication.view")
def survey_detail(request, uid):
    survey = selectors.survey_get(request.initiative, uid)
    invite = SurveyInvite.objects.filter(survey=survey, user=request.user).first()
    questions = list(survey.questions.all())
    errors = {}
    if request.method == "POST":
        answers = {q.pk: request.POST.get(f"q{q.pk}", "") for q in questions}
        try:
            services.survey_respond(actor=request.user, survey=survey, answers=answers)
        except ApplicationError as error:
            if error.code == "forbidden":
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied(error.message) from error
            errors = error.errors
            messages.error(request, error.message)
        else:
            messages.success(request, "Thank you: your answers are recorded.")
            return redirect(survey)
    can_answer = invite is not None and not invite.responded and survey.status == SurveyStatus.OPEN
    show_results = survey.status == SurveyStatus.CLOSED or request.user.has_perm(
        "communication.manage", request.initiative
    )
    return render(
        request,
        "communication/survey_detail.html",
        {
            **perms(request),
            "survey": survey,
            "questions": questions,
            "can_answer": can_answer,
            "answered": invite is not None and invite.responded,
            "results": selectors.survey_results(survey) if show_results else None,
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
            "open_form": SurveyOpenForm(),
        },
    )


@require_POST
@initiative_view("communication.manage")
def survey_open(request, uid):
    survey = selectors.survey_get(request.initiative, uid)
    form = SurveyOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the closing date and time.")
        return redirect(survey)
    return run(
        request,
        lambda: services.survey_open(
            actor=request.user, survey=survey, closes_at=aware(form.cleaned_data["closes_at"])
        ),
        success="The survey is open; everyone asked was told.",
        fallback=survey,
    )


@require_POST
@initiative_view("communication.manage")
def survey_close(request, uid):
    survey = selectors.survey_get(request.initiative, uid)
    return run(
        request,
        lambda: services.survey_close(actor=request.user, survey=survey),
        success="The survey is closed; results are visible to members.",
        fallback=survey,
    )
