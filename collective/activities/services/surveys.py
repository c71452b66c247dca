"""Writes of the relationship survey: rounds (the backbone) and partners' answers."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Initiative, Partner

from ..choices import TRUST_FIELDS, VALUE_FIELDS, Collaboration, RoundStatus
from ..models import SurveyAnswer, SurveyRound
from ._common import check_choice, check_partner, check_rating, check_text, require_acts_for

RATING_FIELDS = TRUST_FIELDS + VALUE_FIELDS


def round_open(*, actor, initiative: Initiative, title: str) -> SurveyRound:
    title = check_text(title, "title", required=True, limit=200)
    if SurveyRound.objects.filter(initiative=initiative, status=RoundStatus.OPEN).exists():
        raise ApplicationError(
            "A survey round is already open: close it before opening another.",
            code=CONFLICT,
        )
    try:
        with transaction.atomic():
            survey = SurveyRound.objects.create(
                initiative=initiative,
                title=title,
                opened_on=timezone.localdate(),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(actor=actor, verb="survey.open", target=survey, changes={"title": title})
    except IntegrityError as exc:
        raise ApplicationError(
            "A survey round was opened at the same moment.", code=CONFLICT
        ) from exc
    return survey


def round_close(*, actor, survey: SurveyRound) -> SurveyRound:
    if survey.status == RoundStatus.CLOSED:
        raise ApplicationError("This round is already closed.", code=CONFLICT)
    with transaction.atomic():
        survey.status = RoundStatus.CLOSED
        survey.closed_on = timezone.localdate()
        survey.save(update_fields=["status", "closed_on", "updated_at"])
        audit_record(
            actor=actor,
            verb="survey.close",
            target=survey,
            changes={"status": {"from": RoundStatus.OPEN, "to": RoundStatus.CLOSED}},
        )
    return survey


def survey_answer(*, actor, survey: SurveyRound, respondent: Partner, answers: list[dict]):
    """Record a partner's answers about the partners it works with, all at once.

    Each answer: {"about": Partner, "collaboration": level, and the six ratings 1–4}. An answer
    with collaboration "none" carries no ratings. Answers replace the partner's earlier ones
    for the same partners; everything is checked first and one bad answer saves nothing.
    """
    initiative = survey.initiative
    if survey.status != RoundStatus.OPEN:
        raise ApplicationError(f"“{survey.title}” is closed: answers are no longer taken.")
    check_partner(initiative, respondent, "respondent")
    require_acts_for(actor, respondent, "answer the survey")
    errors: dict[str, list[str]] = {}
    rows = []
    seen = set()
    for index, answer in enumerate(answers):
        about = answer.get("about")
        prefix = f"answers[{index}]"
        if about is None or about.initiative_id != initiative.pk:
            raise ApplicationError(
                "An answer is about a partner outside this initiative: the survey asks only "
                "about partners of the initiative.",
                errors={f"{prefix}.about": ["Choose a partner of this initiative."]},
            )
        if about.pk == respondent.pk:
            raise ApplicationError(
                "A partner does not rate itself.",
                errors={f"{prefix}.about": ["Choose another partner."]},
            )
        if about.pk in seen:
            raise ApplicationError(
                f"Two answers about {about.name}.",
                errors={f"{prefix}.about": ["One answer per partner."]},
            )
        seen.add(about.pk)
        level = answer.get("collaboration") or Collaboration.NONE
        check_choice(level, Collaboration, f"{prefix}.collaboration")
        values = {}
        for name in RATING_FIELDS:
            try:
                values[name] = check_rating(answer.get(name), f"{prefix}.{name}")
            except ApplicationError as error:
                errors.update(error.errors)
        if level == Collaboration.NONE:
            values = dict.fromkeys(RATING_FIELDS)
        rows.append((about, level, values))
    if errors:
        raise ApplicationError(
            "Ratings are from 1 (not at all) to 4 (a great deal); fix the marked answers.",
            errors=errors,
        )
    with transaction.atomic():
        for about, level, values in rows:
            SurveyAnswer.objects.update_or_create(
                round=survey,
                respondent=respondent,
                about=about,
                defaults={
                    "initiative": initiative,
                    "collaboration": level,
                    "answered_by": actor if getattr(actor, "is_authenticated", False) else None,
                    **values,
                },
            )
        audit_record(
            actor=actor,
            verb="survey.answer",
            target=survey,
            changes={
                "respondent": respondent.name,
                "answers": {about.name: level for about, level, _v in rows},
            },
        )
    return len(rows)
