"""Cells of roll-ups: numbers as they are stored, the partner tree, storing computed cells."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from .. import periods
from ..store import rollups as store

Q6 = Decimal("0.000001")
HUNDRED = Decimal(100)

# A computed cell: (value, numerator, denominator, reporting partners)
Cell = tuple


class Tree:
    """The partner tree of an initiative, from the materialised paths."""

    def __init__(self, rows: Iterable[tuple[int, str]]):
        self.paths = dict(rows)
        self.chains = {
            pid: [int(x) for x in path.strip("/").split("/") if x] or [pid]
            for pid, path in self.paths.items()
        }

    @classmethod
    def load(cls, initiative_id: int) -> Tree:
        return cls(store.partner_paths(initiative_id))

    def ancestors(self, pid: int) -> list[int]:
        """The partner and every partner above it."""
        return self.chains.get(pid, [pid])

    def scopes_of(self, partner_ids: Iterable[int]) -> set[int]:
        scopes: set[int] = set()
        for pid in partner_ids:
            scopes.update(self.ancestors(pid))
        return scopes

    def pairs(self, scopes: set[int] | None) -> list[tuple[int, int]]:
        """(partner, scope) for every partner inside each scope's subtree."""
        out = []
        for pid, chain in self.chains.items():
            for sid in chain:
                if scopes is None or sid in scopes:
                    out.append((pid, sid))
        return out


def dec(x) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(x)


def q6(x: Decimal | None) -> Decimal | None:
    if x is None:
        return None
    try:
        return x.quantize(Q6)
    except InvalidOperation:
        return None


def ratio(num, den, percent: bool) -> Decimal | None:
    if num is None or not den:
        return None
    value = num / den
    return value * HUNDRED if percent else value


def write(initiative_id, cells_by_kind, scope_ids, computed, *, shrink: bool) -> None:
    """Store `computed` for the affected cells and scopes.

    When values were only added or changed (`shrink` false) every existing row still has data,
    so the rows are upserted. When values may have gone (a deletion, a review, a rebuild) the
    rows of the affected cells and scopes are deleted first, then inserted.
    """
    if shrink:
        store.delete_cells(cells_by_kind, scope_ids)
    rows = [
        {
            "initiative": initiative_id, "indicator": ind, "period": period,
            "period_start": periods.parse(period).start, "scope": sid, "breakdown": bd,
            "value": q6(value), "numerator": q6(num), "denominator": q6(den),
            "reporting_partners": partners or 0,
        }
        for (ind, period, sid, bd), (value, num, den, partners) in computed.items()
    ]  # fmt: skip
    if rows:
        store.store_rows(rows, upsert=not shrink)
