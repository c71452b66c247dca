"""Pulse surveys: a few scale, choice and text questions to members or partner groups."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.errors import ApplicationError
from collective.core.models import Membership

from ..choices import NotificationKind, QuestionKind, SurveyStatus
from ..models import Survey, SurveyAnswer, SurveyInvite, SurveyQuestion, SurveyResponse
from ..models.surveys import MIN_GROUP_FLOOR
from .common import actor_or_none, check_partner, clean_text, membership_of
from .notifications import notify_people
from .webhooks import emit

SCALE = range(1, 6)
MAX_QUESTIONS = 20


def _check_questions(questions: list[dict]) -> list[dict]:
    if not questions:
        raise ApplicationError(
            "A survey needs at least one question.", errors={"questions": ["Add a question."]}
        )
    if len(questions) > MAX_QUESTIONS:
        raise ApplicationError(
            f"A pulse survey has at most {MAX_QUESTIONS} questions.",
            errors={"questions": ["Keep it short."]},
        )
    clean = []
    for number, q in enumerate(questions, start=1):
        kind = q.get("kind")
        text = (q.get("text") or "").strip()
        if kind not in QuestionKind.values or not text:
            raise ApplicationError(
                f"Question {number} needs a kind and a text.",
                errors={"questions": [f"Question {number}: give its kind and text."]},
            )
        choices = [c.strip() for c in q.get("choices") or [] if c and c.strip()]
        if kind == QuestionKind.CHOICE and len(choices) < 2:
            raise ApplicationError(
                f"Question {number} needs at least two choices.",
                errors={"questions": [f"Question {number}: at least two choices."]},
            )
        clean.append({"kind": kind, "text": text[:300], "choices": choices[:12]})
    return clean


def survey_create(
    *,
    actor,
    initiative,
    title: str,
    questions: list[dict],
    intro: str = "",
    anonymous: bool = True,
    min_group_size: int = 5,
    partners=(),
) -> Survey:
    title = clean_text(title, "title", required=True, limit=200)
    intro = clean_text(intro, "intro")
    try:
        min_group_size = int(min_group_size)
    except (TypeError, ValueError):
        min_group_size = 0
    if min_group_size < MIN_GROUP_FLOOR:
        raise ApplicationError(
            f"The smallest group shown cannot be below {MIN_GROUP_FLOOR} people: smaller groups "
            "would let people work out who answered what.",
            errors={"min_group_size": [f"At least {MIN_GROUP_FLOOR}."]},
        )
    for partner in partners:
        check_partner(initiative, partner, "partners")
    questions = _check_questions(questions)
    with transaction.atomic():
        survey = Survey.objects.create(
            initiative=initiative,
            title=title,
            intro=intro,
            anonymous=anonymous,
            min_group_size=min_group_size,
            created_by=actor_or_none(actor),
        )
        survey.partners.set(partners)
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(survey=survey, order=i, **q) for i, q in enumerate(questions)
        )
        audit_record(
            actor=actor,
            verb="created",
            target=survey,
            changes={"questions": len(questions), "anonymous": anonymous},
        )
    return survey


def survey_open(*, actor, survey: Survey, closes_at: dt.datetime) -> Survey:
    if survey.status != SurveyStatus.DRAFT:
        raise ApplicationError("Only a draft survey can be opened.", code="conflict")
    if closes_at is None or closes_at <= timezone.now():
        raise ApplicationError(
            "The closing time must be in the future.", errors={"closes_at": ["Choose later."]}
        )
    members = Membership.objects.filter(initiative=survey.initiative).select_related("user")
    partner_paths = [p.path for p in survey.partners.all()]
    if partner_paths:
        members = [
            m
            for m in members
            if m.partner_id and any(m.partner.path.startswith(p) for p in partner_paths)
        ]
    members = list(members)
    if not members:
        raise ApplicationError("Nobody is in the groups this survey is for.", code="conflict")
    with transaction.atomic():
        survey.status = SurveyStatus.OPEN
        survey.opened_at = timezone.now()
        survey.closes_at = closes_at
        survey.save(update_fields=["status", "opened_at", "closes_at", "updated_at"])
        SurveyInvite.objects.bulk_create(
            [SurveyInvite(survey=survey, user=m.user, partner=m.partner) for m in members],
            ignore_conflicts=True,
        )
        audit_record(actor=actor, verb="opened", target=survey, changes={"invited": len(members)})
        notify_people(
            initiative=survey.initiative,
            users=[m.user for m in members],
            kind=NotificationKind.SURVEY,
            title=f"A short survey: {survey.title}",
            body=f"Open until {timezone.localtime(closes_at):%d %b %Y}."
            + (" Your answers are anonymous." if survey.anonymous else ""),
            url=survey.get_absolute_url(),
            target=survey,
            actor=actor,
        )
    return survey


def survey_close(*, actor, survey: Survey) -> Survey:
    if survey.status != SurveyStatus.OPEN:
        raise ApplicationError("Only an open survey can be closed.", code="conflict")
    with transaction.atomic():
        survey.status = SurveyStatus.CLOSED
        survey.closed_at = timezone.now()
        survey.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(actor=actor, verb="closed", target=survey)
        emit(initiative=survey.initiative, event_type="survey.closed", obj=survey)
    return survey


def survey_respond(*, actor, survey: Survey, answers: dict) -> SurveyResponse:
    """answers: {question id: int (scale), choice text, or text}."""
    if survey.status != SurveyStatus.OPEN or (
        survey.closes_at and survey.closes_at <= timezone.now()
    ):
        raise ApplicationError("This survey is closed.", code="conflict")
    invite = SurveyInvite.objects.filter(survey=survey, user=actor).first()
    if invite is None:
        raise ApplicationError("This survey was not sent to you.", code="forbidden")
    if invite.responded:
        raise ApplicationError("You have already answered this survey.", code="conflict")
    questions = list(survey.questions.all())
    rows, errors = [], {}
    for q in questions:
        value = answers.get(q.pk, answers.get(str(q.pk)))
        if value in (None, ""):
            continue
        if q.kind == QuestionKind.SCALE:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if number not in SCALE:
                errors[f"q{q.pk}"] = ["Choose 1 to 5."]
                continue
            rows.append(SurveyAnswer(question=q, number=number))
        elif q.kind == QuestionKind.CHOICE:
            if value not in q.choices:
                errors[f"q{q.pk}"] = ["Choose one of the options."]
                continue
            rows.append(SurveyAnswer(question=q, text=value))
        else:
            rows.append(SurveyAnswer(question=q, text=str(value).strip()[:5000]))
    if errors:
        raise ApplicationError("Some answers are not valid.", errors=errors)
    if not rows:
        raise ApplicationError("Answer at least one question.", errors={"__all__": ["Empty."]})
    membership = membership_of(survey.initiative, actor)
    try:
        with transaction.atomic():
            claimed = SurveyInvite.objects.filter(pk=invite.pk, responded=False).update(
                responded=True
            )
            if not claimed:
                raise IntegrityError("already responded")
            response = SurveyResponse.objects.create(
                survey=survey,
                respondent=None if survey.anonymous else actor,
                partner=membership.partner if membership else None,
                submitted_on=timezone.localdate(),
            )
            for row in rows:
                row.response = response
            SurveyAnswer.objects.bulk_create(rows)
            # The audit entry names nobody for an anonymous survey.
            audit_record(
                actor=None if survey.anonymous else actor,
                verb="answered",
                target=survey,
            )
    except IntegrityError as exc:
        raise ApplicationError("You have already answered this survey.", code="conflict") from exc
    return response
