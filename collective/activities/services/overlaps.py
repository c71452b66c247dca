"""Writes about overlaps: the backbone's decisions on pairs (coordinate / not an overlap) and the
background scan over all pairs."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from collective.core import hooks
from collective.core.audit import audit_record
from collective.core.errors import ApplicationError
from collective.core.models import Initiative

from .. import similarity
from ..choices import OverlapDecisionKind
from ..models import Activity, OverlapDecision, OverlapScan
from ._common import check_choice, check_text


def activity_text(activity: Activity) -> str:
    return f"{activity.title}\n{activity.description}"


def overlap_decide(
    *,
    actor,
    first: Activity,
    second: Activity,
    decision: str,
    note: str = "",
    score: float = 0.0,
) -> OverlapDecision:
    """Record the backbone's decision on a pair. "coordinate" asks both partners to coordinate
    (the communication condition opens a thread); "not an overlap" hides the pair until either
    text is rewritten."""
    check_choice(decision, OverlapDecisionKind, "decision")
    note = check_text(note, "note", limit=2_000)
    if first.initiative_id != second.initiative_id:
        raise ApplicationError("Both activities must belong to the same initiative.")
    if first.pk == second.pk:
        raise ApplicationError("Choose two different activities.")
    if first.partner_id == second.partner_id:
        raise ApplicationError(
            "Both activities belong to the same partner: overlaps are between partners."
        )
    if decision == OverlapDecisionKind.COORDINATE and not note:
        raise ApplicationError(
            "Say what the two partners should coordinate on.",
            errors={"note": ["A short coordination note is needed."]},
        )
    if first.pk > second.pk:
        first, second = second, first
    stamp = similarity.fingerprint(activity_text(first), activity_text(second))
    with transaction.atomic():
        record, _created = OverlapDecision.objects.update_or_create(
            first=first,
            second=second,
            defaults={
                "initiative": first.initiative,
                "decision": decision,
                "note": note,
                "fingerprint": stamp,
                "score": score,
                "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        audit_record(
            actor=actor,
            verb="overlap.decide",
            target=record,
            changes={
                "first": first.title,
                "second": second.title,
                "decision": decision,
                "note": note,
            },
        )
        if decision == OverlapDecisionKind.COORDINATE:
            hooks.notify(
                hooks.COORDINATION_REQUESTED,
                actor=actor,
                initiative=first.initiative,
                first=first,
                second=second,
                note=note,
            )
    return record


def overlap_decision_remove(*, actor, decision: OverlapDecision) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="overlap.undecide",
            target=decision,
            changes={"decision": decision.decision},
        )
        decision.delete()


def overlap_scan_start(*, actor, initiative: Initiative, threshold: float) -> OverlapScan:
    """Queue a scan over all pairs; the worker runs `overlap_scan_run` with progress."""
    threshold = check_threshold(threshold)
    with transaction.atomic():
        scan = OverlapScan.objects.create(
            initiative=initiative,
            threshold=threshold,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor, verb="overlap.scan", target=scan, changes={"threshold": threshold}
        )
        transaction.on_commit(lambda: overlap_scan_task.enqueue(scan_id=scan.pk))
    return scan


def check_threshold(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0.1 <= number <= 0.95:
        raise ApplicationError(
            f"The threshold is a similarity from 0.1 to 0.95, not '{value}'.",
            errors={"threshold": ["A number from 0.1 (show more) to 0.95 (show only twins)."]},
        )
    return round(number, 2)


def overlap_scan_run(scan: OverlapScan) -> OverlapScan:
    """Score all pairs, saving progress on the scan as it goes; the results are plain ids."""
    from ..selectors import overlap_docs

    OverlapScan.objects.filter(pk=scan.pk).update(state="running")
    try:
        docs = overlap_docs(scan.initiative)

        def progress(done, total):
            OverlapScan.objects.filter(pk=scan.pk).update(processed=done, total=total)

        pairs = similarity.detect(docs, threshold=scan.threshold, progress=progress)
    except Exception as exc:
        OverlapScan.objects.filter(pk=scan.pk).update(
            state="failed", message=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    scan.results = [p.__dict__ for p in pairs]
    scan.state = "done"
    scan.finished_at = timezone.now()
    scan.message = f"{len(pairs)} pairs at or above {scan.threshold:.2f}."
    scan.save(update_fields=["results", "state", "finished_at", "message", "updated_at"])
    return scan


@task()
def overlap_scan_task(*, scan_id: int) -> str:
    """Overlap detection over all pairs of an initiative's activities, with progress. Defined
    next to the service that queues it (tasks.py lists it), so the app has no import cycle."""
    scan = OverlapScan.objects.select_related("initiative").get(pk=scan_id)
    return overlap_scan_run(scan).state
