"""What an import will do and how to take it back: the preview's warnings and the undo.

Before anything is saved the preview shows the values for partner–indicator pairs with no
reporting duty (the user accepts them or leaves them out), the values that overwrite approved
ones (old → new), and the effect on each indicator's collective figure for the periods touched
(before → after). The effect is found by writing the staged rows with the real write
(`store.staging.write` and the roll-up engine) in a transaction that is rolled back, so the
preview can never disagree with what confirming does.

`import_undo` takes a whole import back — previous values, status and source restored, created
values deleted, roll-ups and statuses recomputed, a history row per restored value and an audit
entry — until a later change touches one of its values: then it refuses and changes nothing.
The import's values are found by its history rows (source import, the time stamp of its write).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Partner

from ..choices import ImportState
from ..models import ImportJob, Indicator, Rollup
from ..store import staging as store
from .observations import actor_id, initial_status, refresh

MAX_LISTED = 50  # pairs without a duty, overwritten approved values: listed on the preview
MAX_EFFECT_CELLS = 60  # (indicator, period) pairs whose collective figure the preview shows
# Above this many values the preview does not compute the effect on collective figures (it
# would write them once more in a rolled-back transaction); the page says so.
EFFECT_MAX_ROWS = 50_000


def _set(job: ImportJob, **fields) -> None:
    for key, value in fields.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields, updated_at=timezone.now())


def warnings(job: ImportJob, partner_names: dict[int, str], staged: int) -> dict:
    """What the preview must show before anything is saved: values for pairs with no reporting
    duty, values that overwrite approved ones (old → new), and the effect on each indicator's
    collective figure for the periods touched (before → after, found by writing the staged rows
    in a transaction that is rolled back — the same engine as the real write)."""
    indicators = {
        pk: (code, name)
        for pk, code, name in Indicator.objects.filter(initiative=job.initiative).values_list(
            "id", "code", "name"
        )
    }
    pairs = store.unassigned(job.pk)
    unassigned = [
        {
            "indicator": indicators[ind][0],
            "indicator_name": indicators[ind][1],
            "partner": partner_names.get(partner, ""),
            "values": n,
        }
        for ind, partner, n in pairs
    ]
    count, examples = store.overwrites(job.pk, MAX_LISTED)
    overwrites = [
        {
            "row": row,
            "indicator": indicators[ind][0],
            "indicator_name": indicators[ind][1],
            "partner": partner_names.get(partner, ""),
            "period": period,
            "breakdown": bd,
            "old": _text(old),
            "new": _text(new),
            "old_ratio": [_text(on), _text(od)] if on is not None or od is not None else None,
            "new_ratio": [_text(nn), _text(nd)] if nn is not None or nd is not None else None,
        }
        for row, ind, partner, period, bd, old, new, on, nn, od, nd in examples
    ]
    found = {
        "unassigned": unassigned[:MAX_LISTED],
        "unassigned_pairs": len(unassigned),
        "unassigned_values": sum(u["values"] for u in unassigned),
        "overwrites": overwrites,
        "overwrite_count": count,
    }
    found.update(_effect(job, indicators, staged, leave_out=bool(unassigned)))
    return found


def _text(value) -> str | None:
    """A number as text, the same from both databases: 10.000000 and 10 -> "10", 87.5 -> "87.5"."""
    if value is None:
        return None
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return str(number.normalize())


class _DryRun(Exception):
    """Rolls back the write made to see its effect."""


def _effect(job: ImportJob, indicators: dict, staged: int, *, leave_out: bool) -> dict:
    if staged > EFFECT_MAX_ROWS:
        return {"effect": [], "effect_cells": 0, "effect_skipped": True}
    cells_count, cells = store.touched_cells(job.pk, MAX_EFFECT_CELLS)
    touched: dict[int, set[str]] = {}
    for ind, period in cells:
        touched.setdefault(ind, set()).add(period)
    before = _collective(job.initiative, touched)
    after = _dry_run(job, touched, leave_out=False)
    after_assigned = _dry_run(job, touched, leave_out=True) if leave_out else None
    effect = [
        {
            "indicator": indicators[ind][0],
            "indicator_name": indicators[ind][1],
            "period": period,
            "before": before.get((ind, period)),
            "after": after.get((ind, period)),
            "after_assigned": None if after_assigned is None else after_assigned.get((ind, period)),
        }
        for ind, period in cells
    ]
    return {"effect": effect, "effect_cells": cells_count, "effect_skipped": False}


def _collective(initiative, cells: dict[int, set[str]]) -> dict[tuple[int, str], str | None]:
    """The collective figure (whole initiative, no breakdown) of the cells."""
    if not cells:
        return {}
    periods_ = {p for ps in cells.values() for p in ps}
    return {
        (ind, period): _text(value)
        for ind, period, value in Rollup.objects.filter(
            initiative=initiative,
            scope__isnull=True,
            breakdown="",
            indicator_id__in=list(cells),
            period__in=periods_,
        ).values_list("indicator_id", "period", "value")
        if period in cells.get(ind, ())
    }


def _dry_run(job: ImportJob, cells: dict, *, leave_out: bool) -> dict:
    """The collective figures of `cells` had the staged rows been written — then undone."""
    figures: dict = {}
    try:
        with transaction.atomic():
            if leave_out:
                store.leave_out_unassigned(job.pk)
            created, updated, written, partner_ids = store.write(
                job.pk,
                initiative_id=job.initiative_id,
                status=initial_status(job.created_by, job.initiative),
                actor_id=actor_id(job.created_by),
                at=connection.ops.adapt_datetimefield_value(timezone.now()),
            )
            if created or updated:
                refresh(job.initiative, written, partner_ids)
            figures = _collective(job.initiative, cells)
            raise _DryRun
    except _DryRun:
        pass
    return figures


def import_undo(*, actor, job: ImportJob) -> ImportJob:
    """Undo a whole import: the values it changed get their previous values back, the values
    it created are deleted, the roll-ups and statuses of the touched cells are recomputed — in
    one transaction, with a history row per restored value and one audit entry. Refused, with
    nothing changed, once a later change touched any of its values (undoing would overwrite it)."""
    m = job.mapping or {}
    if m.get("undone"):
        raise ApplicationError("This import was undone already.", code="undone", kind=CONFLICT)
    if job.state != ImportState.DONE or not m.get("written_at"):
        raise ApplicationError(
            "Only a finished import that saved values can be undone.",
            code="not_done",
            kind=CONFLICT,
        )
    written_at = datetime.datetime.fromisoformat(m["written_at"])
    at = connection.ops.adapt_datetimefield_value(written_at)
    initiative = job.initiative
    with transaction.atomic():
        rows, changed, examples = store.undo_blockers(initiative.pk, at)
        lost = job.created_count + job.updated_count - rows
        if changed or lost:
            raise ApplicationError(
                _undo_refusal(initiative, changed + max(lost, 0), examples),
                code="changed_since",
                kind=CONFLICT,
            )
        now = timezone.now()
        restored, deleted, cells, partner_ids = store.undo(
            initiative.pk,
            at,
            now=connection.ops.adapt_datetimefield_value(now),
            actor_id=actor_id(actor),
        )
        audit_record(
            actor=actor,
            verb="undid import",
            target=job,
            initiative=initiative,
            changes={"file": job.filename, "restored": restored, "deleted": deleted},
        )
        if cells:
            refresh(initiative, cells, partner_ids, shrink=True)
        who = getattr(actor, "name", "") or getattr(actor, "username", "") or "someone"
        _set(
            job,
            mapping={
                **m,
                "undone": {
                    "at": now.isoformat(),
                    "by": who,
                    "restored": restored,
                    "deleted": deleted,
                },
            },
            message=f"Undone by {who}: {restored:,} value{'s' if restored != 1 else ''} "
            f"restored, {deleted:,} new value{'s' if deleted != 1 else ''} removed.",
        )
    return job


def _undo_refusal(initiative, changed: int, examples: list[tuple]) -> str:
    codes = dict(Indicator.objects.filter(initiative=initiative).values_list("id", "code"))
    names = dict(Partner.objects.filter(initiative=initiative).values_list("id", "name"))
    listed = "; ".join(
        f"{codes.get(ind)} for {names.get(partner)}, {period}{' (' + bd + ')' if bd else ''}"
        for _oid, ind, partner, period, bd in examples[:3]
    )
    return (
        f"{changed:,} value{'s' if changed != 1 else ''} of this import "
        f"{'were' if changed != 1 else 'was'} changed or deleted since"
        + (f" (e.g. {listed})" if listed else "")
        + ": undoing it would overwrite that later work, so nothing was changed."
    )
