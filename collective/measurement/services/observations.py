"""Writes of values: the one door every value goes through, reviews and deletions.

Every value — typed in the entry grid, posted to the API (one object or a list), imported from a
spreadsheet, loaded by the demo — is written by `observations_upsert`: its rows are checked by
the same `RowChecker`, all or nothing (or only the valid rows when the caller asks), in one
transaction with history, one audit entry per write and fresh roll-ups and statuses. (Imports
confirmed from a preview write the rows the preview checked and staged, with the same checks;
see `services.imports`.)

How the values are written depends only on how many there are:
- one value (the grid's one-cell save, the API's one-object POST): a few plain statements, and
  the stored roll-ups of the partner's chain are moved by the difference the value makes
  (`engine.delta`), the statuses judged from the series already read — it runs once per value
  typed, so it reads and writes only the rows that move;
- more: values and history in batches (SQLite `executemany`, PostgreSQL COPY), then one
  set-based recomputation of every touched cell (`engine.rollups.refresh`).
The tests check that both leave the same roll-ups and statuses as a full recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from collective.core import ids
from collective.core.audit import audit_fields, audit_record
from collective.core.errors import FORBIDDEN, INVALID, ApplicationError
from collective.core.models import Initiative

from .. import periods
from ..choices import ObservationStatus, Source, ValueType
from ..engine import delta, formulas, rollups, status
from ..models import Observation, ObservationHistory
from ..store import observations as store
from .validation import RowChecker, field_error

RETRIES = 3  # attempts when a concurrent writer created the same value first


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    total: int = 0
    # (indicator id, partner id, period, breakdown) of every valid row, in row order.
    keys: list = field(default_factory=list)
    # The value, when exactly one was sent and it is valid (its indicator and partner loaded).
    observation: Observation | None = None

    @property
    def saved(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


@dataclass
class _Plan:
    """The checked rows of a bulk write, split by what will happen to each."""

    # (row number, indicator, partner, Period, breakdown, Clean, note)
    creates: list = field(default_factory=list)
    # (row number, indicator, partner, Period, breakdown, Clean, note, observation id)
    updates: list = field(default_factory=list)
    unchanged: int = 0
    keys: list = field(default_factory=list)
    # Backdated rows: {row number: (submitted_at, submitted_by id)}
    stamps: dict = field(default_factory=dict)


def observations_upsert(
    *,
    actor,
    initiative: Initiative,
    rows: list[dict],
    source: str = Source.API,
    only_valid: bool = False,
    progress=None,
    backdate: bool = False,
) -> BulkResult:
    """Check every row, then write all of them in one transaction (or none).

    Each row: indicator (code), partner (uid or name), period (code or date), breakdown,
    value — or numerator and denominator —, note (absent: the stored note stays). With errors
    and not `only_valid`, nothing is saved and ApplicationError carries the row errors as
    errors["rows"] = [{"row", "field", "message"}]. With `only_valid`, the valid rows are saved
    and the errors are returned in the result.

    `backdate` (trusted callers only: the demo loader, migrations of historical data) honours
    each row's optional `submitted_at` (datetime) and `submitted_by` (user or id).
    """
    if source not in Source.values:
        raise field_error("source", f"Choose one of: {', '.join(Source.values)}.")
    if not isinstance(rows, list | tuple):
        raise field_error("rows", "Send a list of rows.")
    # The rows are checked inside the transaction, so what the checks found is still true when
    # they are written; if another writer slipped the same new value in first (the unique
    # index says so), everything is checked and written again.
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                return _upsert(actor, initiative, rows, source, only_valid, progress, backdate)
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise ApplicationError(
                    "Someone else saved the same values at the same moment: nothing was saved. "
                    "Please try again.",
                    code="conflict",
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _upsert(actor, initiative, rows, source, only_valid, progress, backdate) -> BulkResult:
    checker = RowChecker(initiative, actor, rows)
    good, errors = checker.check(rows)
    if errors and not only_valid:
        count = len({e["row"] for e in errors})
        raise ApplicationError(
            f"{count:,} row{'s' if count != 1 else ''} of {len(rows):,} "
            f"{'have' if count != 1 else 'has'} errors: nothing was saved.",
            errors={"rows": errors},
            code=FORBIDDEN if checker.forbidden(good, errors) else INVALID,
        )
    stamps = _stamps(rows) if backdate else {}
    result = BulkResult(errors=errors, total=len(rows))
    if len(good) == 1 and not stamps:
        obs, outcome = _write_one(actor, initiative, good[0], source)
        setattr(result, outcome, 1)
        result.keys = [(obs.indicator_id, obs.partner_id, obs.period, obs.breakdown)]
        result.observation = obs
        return result
    plan = _plan(good, stamps)
    _apply(initiative, actor, plan, source, progress=progress)
    result.created, result.updated = len(plan.creates), len(plan.updates)
    result.unchanged, result.keys = plan.unchanged, plan.keys
    return result


def _stamps(rows) -> dict:
    """{row number: (submitted_at, submitted_by id)} of backdated rows."""
    stamps = {}
    for position, row in enumerate(rows, start=1):
        if isinstance(row, dict) and (row.get("submitted_at") or row.get("submitted_by")):
            by = row.get("submitted_by")
            stamps[row.get("row") or position] = (row.get("submitted_at"), getattr(by, "pk", by))
    return stamps


def initial_status(actor, initiative) -> str:
    """Values count at once unless the initiative reviews data (the backbone's count at once)."""
    if not initiative.review_observations:
        return ObservationStatus.APPROVED
    if actor is None or actor.has_perm("measurement.review_data", initiative):
        return ObservationStatus.APPROVED
    return ObservationStatus.SUBMITTED


def actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def refresh(
    initiative, cells: dict[int, set[str]], partner_ids: set[int], *, shrink: bool = False
) -> None:
    """Roll-ups and statuses after a write; `shrink` when values may have gone away."""
    pairs = rollups.refresh(initiative, cells, partner_ids, shrink=shrink)
    status.refresh(initiative, pairs, shrink=shrink)


# --- Many values: batches and one set-based refresh ------------------------------------------


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == b if not isinstance(a, Decimal) else a == b


def _plan(good: list, stamps: dict) -> _Plan:
    """What each checked row does to the stored values: create, update or nothing."""
    plan = _Plan(stamps=stamps)
    cells: dict[int, set[str]] = {}
    for _, ind, _, p, *_ in good:
        cells.setdefault(ind.id, set()).add(p.code)
    existing = store.existing(cells) if cells else {}
    for number, ind, partner, p, bd, clean, note in good:
        key = (ind.id, partner.id, p.code, bd)
        plan.keys.append(key)
        row = existing.get(key)
        if row is None:
            plan.creates.append((number, ind, partner, p, bd, clean, note or ""))
            continue
        _id, _ind, _partner, _period, _bd, value, num, den, stored_note, stored_status = row
        same = (
            _same(value, clean.value)
            and _same(num, clean.numerator)
            and _same(den, clean.denominator)
            and (note is None or (stored_note or "") == note)
            and stored_status != ObservationStatus.RETURNED
        )
        if same:
            plan.unchanged += 1
        else:
            final_note = (stored_note or "") if note is None else note
            plan.updates.append((number, ind, partner, p, bd, clean, final_note, _id))
    return plan


def time_ordered_uids(count: int, native: bool) -> list:
    """Fresh version-7 UUIDs in increasing order (`core.ids`), so a big import appends to the
    uid index instead of writing all over it."""
    return [u if native else u.hex for u in ids.uuid7_sequence(count)]


def _float_or_none(x):
    return None if x is None else float(x)


def _unchanged_value(x):
    return x


def bulk_number():
    """How bulk writes pass decimals to the database: SQLite stores them as numbers anyway, so
    floats skip a text round trip per value; PostgreSQL takes the Decimals."""
    return _float_or_none if connection.vendor == "sqlite" else _unchanged_value


def _apply(initiative, actor, plan: _Plan, source: str, progress=None) -> None:
    """Write the planned creates and updates, their history, one audit entry, roll-ups."""
    now = timezone.now()
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)
    by_actor = actor_id(actor)
    new_status = initial_status(actor, initiative)
    native_uuid = connection.features.has_native_uuid_field
    history = []
    cells: dict[int, set[str]] = {}
    partner_ids: set[int] = set()
    stamps = plan.stamps
    default = (now_db, by_actor)
    num = bulk_number()

    def stamp(number):
        """When and by whom a row was submitted: now and the actor, unless backdated."""
        if not stamps or number not in stamps:
            return default
        at, by = stamps[number]
        return (ops.adapt_datetimefield_value(at) if at else now_db, by or by_actor)

    def written(obs_id, action, values, note, at, by) -> dict:
        v, n, d = values
        return {
            "initiative_id": initiative.pk, "observation_id": obs_id, "action": action,
            "value": v, "numerator": n, "denominator": d, "note": note, "status": new_status,
            "source": source, "changed_by_id": by, "changed_at": at,
        }  # fmt: skip

    if plan.creates:
        ids = store.allocate_ids(Observation, len(plan.creates))
        uids = time_ordered_uids(len(plan.creates), native_uuid)
        rows = []
        for obs_id, uid, (number, ind, partner, p, bd, clean, note) in zip(
            ids, uids, plan.creates, strict=True
        ):
            at, by = stamp(number)
            values = num(clean.value), num(clean.numerator), num(clean.denominator)
            rows.append(
                {
                    "id": obs_id, "created_at": at, "updated_at": at,
                    "initiative_id": initiative.pk, "uid": uid, "indicator_id": ind.id,
                    "partner_id": partner.id, "period": p.code,
                    "period_start": ops.adapt_datefield_value(p.start), "breakdown": bd,
                    "value": values[0], "numerator": values[1], "denominator": values[2],
                    "note": note, "status": new_status, "source": source,
                    "submitted_by_id": by, "submitted_at": at, "review_comment": "",
                }
            )  # fmt: skip
            history.append(written(obs_id, "created", values, note, at, by))
            cells.setdefault(ind.id, set()).add(p.code)
            partner_ids.add(partner.id)
        store.insert_values(rows, progress=progress)
    if plan.updates:
        rows = []
        for number, ind, partner, p, _bd, clean, note, obs_id in plan.updates:
            at, by = stamp(number)
            values = num(clean.value), num(clean.numerator), num(clean.denominator)
            rows.append(
                {
                    "id": obs_id, "value": values[0], "numerator": values[1],
                    "denominator": values[2], "note": note, "status": new_status,
                    "source": source, "submitted_by_id": by, "submitted_at": at,
                    "updated_at": at,
                }
            )  # fmt: skip
            history.append(written(obs_id, "updated", values, note, at, by))
            cells.setdefault(ind.id, set()).add(p.code)
            partner_ids.add(partner.id)
        store.update_values(rows)
    if history:
        store.insert_history(history)
    audit_record(
        actor=actor,
        verb="saved values",
        target=initiative,
        changes={
            "source": source,
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "unchanged": plan.unchanged,
        },
    )
    if cells:
        refresh(initiative, cells, partner_ids)


# --- One value: a few statements, roll-ups moved by difference -------------------------------


def _write_one(actor, initiative, checked: tuple, source: str) -> tuple[Observation, str]:
    """Create or update one checked value; (observation, 'created'|'updated'|'unchanged')."""
    _number, indicator, partner, p, bd, clean, note = checked
    now = timezone.now()
    obs, meta_row = store.current(indicator.pk, partner.pk, p.code, bd)
    new_status = initial_status(actor, initiative)
    review = initiative.review_observations
    old = None
    if obs is None:
        obs = Observation(
            uid=ids.uuid7(),
            initiative_id=initiative.pk,
            indicator=indicator,
            partner=partner,
            period=p.code,
            period_start=p.start,
            breakdown=bd,
            note=note or "",
            source=source,
            status=new_status,
            submitted_by_id=actor_id(actor),
            submitted_at=now,
            created_at=now,
            updated_at=now,
        )
        outcome = "created"
    else:
        obs.indicator, obs.partner = indicator, partner
        same = (
            obs.value == clean.value
            and obs.numerator == clean.numerator
            and obs.denominator == clean.denominator
            and (note is None or obs.note == note)
        )
        if same and obs.status != ObservationStatus.RETURNED:
            return obs, "unchanged"
        if not review or obs.status == ObservationStatus.APPROVED:
            old = (obs.value, obs.numerator, obs.denominator)
        if note is not None:
            obs.note = note
        obs.source = source
        obs.status = new_status
        obs.submitted_by_id = actor_id(actor)
        obs.submitted_at = now
        obs.updated_at = now
        obs.reviewed_by = None
        obs.reviewed_at = None
        obs.review_comment = ""
        outcome = "updated"
    if obs.submitted_by_id is not None:
        obs.submitted_by = actor
    obs.value, obs.numerator, obs.denominator = clean.value, clean.numerator, clean.denominator
    audit = audit_fields(
        actor=actor,
        verb=f"{outcome} value",
        target=obs,
        initiative=initiative,
        changes={"period": p.code, "value": str(clean.value), "partner": partner.name},
    )
    audit["created_at"] = timezone.now()
    history = {
        "initiative_id": obs.initiative_id, "action": outcome, "value": obs.value,
        "numerator": obs.numerator, "denominator": obs.denominator, "note": obs.note,
        "status": obs.status, "source": obs.source, "changed_by_id": actor_id(actor),
        "changed_at": connection.ops.adapt_datetimefield_value(now),
    }  # fmt: skip
    store.save_value(obs, outcome == "created", history, store.audit_params(audit))
    new = None
    if not review or new_status == ObservationStatus.APPROVED:
        new = (clean.value, clean.numerator, clean.denominator)
    _refresh_one(initiative, obs, p, old, new, now, meta_row)
    return obs, outcome


def _refresh_one(initiative, obs: Observation, p: periods.Period, old, new, now, meta_row):
    """Roll-ups and statuses after one value was written, by difference (`delta`); a full
    recomputation of the cell when that cannot settle it.

    `old` / `new`: (value, numerator, denominator) when the value counted before / counts now;
    `meta_row`: the indicator and the partner's path as `store.current` read them."""
    if old is None and new is None:
        return  # neither before nor after does it count: no roll-up moves
    (code, aggregation, cumulative, formula, dimension, value_type, frequency, direction,
     decimals, unit, path, has_formulas) = meta_row  # fmt: skip
    meta = rollups.Meta(
        obs.indicator_id, code, aggregation, bool(cumulative), formula, bool(dimension),
        value_type == ValueType.PERCENT, frequency,
    )  # fmt: skip
    chain = tuple(int(x) for x in path.strip("/").split("/") if x) or (obs.partner_id,)
    change = delta.Change(
        indicator=obs.indicator_id,
        partner=obs.partner_id,
        chain=chain,
        period=p.code,
        period_start=p.start,
        breakdown=obs.breakdown,
        observation=obs.pk,
        submitted_at=connection.ops.adapt_datetimefield_value(now),
        old=old,
        new=new,
    )
    cells = {obs.indicator_id: {p.code}}
    moved = delta.apply_change(initiative, meta, change)
    if moved is None:
        # Not settled by difference (a withdrawn minimum or latest value...): recompute the
        # cell, replacing its rows (values may have gone).
        refresh(initiative, cells, {obs.partner_id}, shrink=True)
        return
    status.refresh_series(initiative, obs.indicator_id, (direction, decimals, unit), moved)
    if has_formulas:
        changed = formulas.follow(
            initiative, obs.indicator_id, code, cells, set(chain), obs.partner_id
        )
        status.refresh(initiative, changed, shrink=False)


# --- Reviews and deletions -------------------------------------------------------------------


def _history_row(obs: Observation, action: str, actor, now) -> ObservationHistory:
    return ObservationHistory(
        initiative_id=obs.initiative_id,
        observation=obs,
        action=action,
        value=obs.value,
        numerator=obs.numerator,
        denominator=obs.denominator,
        note=obs.note,
        status=obs.status,
        source=obs.source,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        changed_at=now,
    )


def observation_review(
    *, actor, observation: Observation, approve: bool, comment: str = ""
) -> Observation:
    """Approve a submitted value (it counts from now on) or return it with a comment."""
    observations_review_bulk(
        actor=actor, observations=[observation], approve=approve, comment=comment
    )
    return observation


def observations_review_bulk(*, actor, observations, approve: bool, comment: str = "") -> int:
    """Approve or return many values at once: one transaction, one roll-up refresh."""
    observations = list(observations)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise field_error("comment", "Say what needs correcting, so the partner can fix it.")
    if not observations:
        return 0
    initiative = observations[0].initiative
    if any(o.initiative_id != initiative.pk for o in observations):
        raise ApplicationError("Review values of one initiative at a time.")
    now = timezone.now()
    new_status = ObservationStatus.APPROVED if approve else ObservationStatus.RETURNED
    reviewer = actor if getattr(actor, "is_authenticated", False) else None
    cells: dict[int, set[str]] = {}
    partners: set[int] = set()
    with transaction.atomic():
        for observation in observations:
            observation.status = new_status
            observation.reviewed_by = reviewer
            observation.reviewed_at = now
            observation.review_comment = comment
            observation.updated_at = now  # bulk_update does not apply auto_now
            cells.setdefault(observation.indicator_id, set()).add(observation.period)
            partners.add(observation.partner_id)
        Observation.objects.bulk_update(
            observations,
            ["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"],
            batch_size=500,
        )
        action = "approved" if approve else "returned"
        ObservationHistory.objects.bulk_create(
            [_history_row(o, action, actor, now) for o in observations], batch_size=1000
        )
        for observation in observations:
            audit_record(
                actor=actor,
                verb=f"{action} value",
                target=observation,
                initiative=initiative,
                changes={"comment": comment} if comment else {},
            )
        if initiative.review_observations:
            refresh(initiative, cells, partners, shrink=True)
    return len(observations)


def observation_delete(*, actor, observation: Observation) -> None:
    initiative = observation.initiative
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="deleted value",
            target=observation,
            initiative=initiative,
            changes={"period": observation.period, "value": str(observation.value)},
        )
        cells = {observation.indicator_id: {observation.period}}
        partner_id = observation.partner_id
        observation.delete()
        refresh(initiative, cells, {partner_id}, shrink=True)
