"""What the agenda services share: limits, revision checks and small validators."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Initiative, Partner

from ..choices import OutcomeKind, VersionStatus
from ..models import AgendaVersion, Outcome, OutcomeNode

VERSION_FIELDS = ["title", "problem_statement", "vision", "principles", "rationale", "learning"]
NODE_FIELDS = ["statement", "description", "horizon", "lead_partner", "co_partners"]
WORKING = (VersionStatus.DRAFT, VersionStatus.CONSULTATION)
MAX_DEPTH = 2  # goal (0) -> outcome (1) -> sub-outcome (2)
# Generous limits: an agenda is read by people, and a pasted book would bury it.
MAX_TEXT = 20_000  # problem statement, vision, principles, rationale, learning
MAX_NOTE = 5_000  # comments, concerns, replies, reasons, reservations, outcome descriptions
KIND_AT_DEPTH = {0: OutcomeKind.GOAL, 1: OutcomeKind.OUTCOME, 2: OutcomeKind.SUB_OUTCOME}


def _require_working(version: AgendaVersion, doing: str = "change") -> None:
    if not version.is_working:
        raise ApplicationError(
            f"Version {version.number} is {version.get_status_display().lower()}: you cannot "
            f"{doing} it. Start a new draft to propose changes.",
            code="not_working",
            kind=CONFLICT,
        )


def _claim_revision(version: AgendaVersion, revision) -> None:
    """Bump the revision if it is still the one the caller edited; refuse a stale save.

    Call inside the transaction of the write, after validation: the compare-and-set is one
    UPDATE, so two concurrent saves cannot both pass.
    """
    try:
        revision = int(revision)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            "The form is missing the draft's revision; reload the page and try again.",
            errors={"revision": ["Required."]},
            code="stale",
        ) from exc
    updated = AgendaVersion.objects.filter(
        pk=version.pk, revision=revision, status__in=WORKING
    ).update(revision=F("revision") + 1, updated_at=timezone.now())
    if not updated:
        current = AgendaVersion.objects.get(pk=version.pk)
        if current.status not in WORKING:
            raise ApplicationError(
                f"Version {version.number} is {current.get_status_display().lower()} now and "
                "cannot be changed.",
                code="not_working",
                kind=CONFLICT,
            )
        raise ApplicationError(
            f"Someone else saved this draft while you were editing it (you edited revision "
            f"{revision}, it is now at revision {current.revision}). Compare your change with "
            "the saved version and save again.",
            errors={"revision": ["The draft changed since you opened it."]},
            code="stale",
            kind=CONFLICT,
        )
    version.revision = revision + 1


def _bump_revision(version: AgendaVersion) -> None:
    AgendaVersion.objects.filter(pk=version.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    version.refresh_from_db(fields=["revision", "updated_at"])


def _check_choice(value, choices, field: str) -> None:
    if value not in choices.values:
        raise ApplicationError(
            f"'{value}' is not a valid {field.replace('_', ' ')}.",
            errors={field: [f"Choose one of: {', '.join(choices.values)}."]},
        )


def _check_length(value: str, limit: int, field: str) -> None:
    if len(value) > limit:
        raise ApplicationError(
            f"The {field.replace('_', ' ')} is too long ({len(value):,} characters; at most "
            f"{limit:,}).",
            errors={field: [f"At most {limit:,} characters."]},
        )


def _check_partner(initiative: Initiative, partner: Partner | None, field: str) -> None:
    if partner is not None and partner.initiative_id != initiative.pk:
        raise ApplicationError(
            "That partner belongs to another initiative.",
            errors={field: ["Choose a partner of this initiative."]},
        )


def working_version(initiative: Initiative) -> AgendaVersion | None:
    return AgendaVersion.objects.filter(initiative=initiative, status__in=WORKING).first()


def sync_outcomes(initiative: Initiative) -> None:
    """Keep `Outcome.title/kind/retired` in step with the adopted and working versions.

    The wording is the adopted version's, else the working draft's; an outcome is retired
    when it is in neither (it stays for history and for what links to it).
    """
    nodes = OutcomeNode.objects.filter(
        version__initiative=initiative,
        version__status__in=[VersionStatus.ADOPTED, *WORKING],
    ).values_list("outcome_id", "statement", "kind", "version__status")
    current: dict[int, tuple[str, str]] = {}
    for outcome_id, statement, kind, status in nodes:
        if status == VersionStatus.ADOPTED or outcome_id not in current:
            current[outcome_id] = (statement, kind)
    changed = []
    for outcome in Outcome.objects.filter(initiative=initiative):
        if outcome.pk in current:
            title, kind = current[outcome.pk]
            retired = False
        else:
            title, kind, retired = outcome.title, outcome.kind, True
        if (outcome.title, outcome.kind, outcome.retired) != (title, kind, retired):
            outcome.title, outcome.kind, outcome.retired = title, kind, retired
            changed.append(outcome)
    if changed:
        Outcome.objects.bulk_update(changed, ["title", "kind", "retired", "updated_at"])


def _outcome_in_use(outcome: Outcome) -> bool:
    """True when a version, a consultation item or another capability links to it."""
    if outcome.nodes.exists():
        return True
    for rel in Outcome._meta.related_objects:
        if rel.related_model is OutcomeNode:
            continue
        accessor = rel.get_accessor_name()
        if accessor and getattr(outcome, accessor).exists():
            return True
    return False
