"""The alignment matrix: partners × outcomes, each cell how many activities and how strong the
claims are. A fixed number of queries whatever the size (outcome tree, partners, one aggregate
of claims, one of reviews)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.html import escape
from django.utils.safestring import mark_safe

from collective.core.models import Initiative, Partner

from . import selectors
from .models import ClaimReview, Contribution


@dataclass
class Cell:
    activities: int = 0
    direct: int = 0
    indirect: int = 0
    substantiated: int = 0
    contested: int = 0

    @property
    def weight(self) -> int:
        """Direct claims count twice: the heat of the cell."""
        return 2 * self.direct + self.indirect

    @property
    def level(self) -> int:
        """0–4, the heat-map shade."""
        w = self.weight
        return 0 if w == 0 else 1 if w <= 1 else 2 if w <= 3 else 3 if w <= 6 else 4

    @property
    def words(self) -> str:
        if not self.activities:
            return "No activity"
        parts = [f"{self.activities} activit{'y' if self.activities == 1 else 'ies'}"]
        if self.direct:
            parts.append(f"{self.direct} direct")
        if self.indirect:
            parts.append(f"{self.indirect} indirect")
        if self.contested:
            parts.append(f"{self.contested} contested")
        return ", ".join(parts)


@dataclass
class Matrix:
    outcomes: list  # (Outcome, depth)
    partners: list[Partner]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    outcome_totals: dict[int, Cell] = field(default_factory=dict)
    partner_totals: dict[int, Cell] = field(default_factory=dict)

    def cell(self, partner_id: int, outcome_id: int) -> Cell:
        return self.cells.get((partner_id, outcome_id)) or Cell()

    def rows(self, partners=None):
        """(partner, [cells in outcome order], total) for the template."""
        empty = Cell()
        for p in partners if partners is not None else self.partners:
            yield (
                p,
                [(o, self.cells.get((p.pk, o.pk), empty)) for o, _d in self.outcomes],
                self.partner_totals.get(p.pk, empty),
            )


def _add(cell: Cell, strength: str, claims: int) -> None:
    if strength == "direct":
        cell.direct += claims
    else:
        cell.indirect += claims


def alignment_matrix(initiative: Initiative) -> Matrix:
    outcomes = selectors.outcomes_current(initiative)
    partners = selectors.partners(initiative)
    matrix = Matrix(outcomes=outcomes, partners=partners)
    outcome_ids = {o.pk for o, _d in outcomes}
    acts: dict[tuple[int, int], set] = defaultdict(set)
    rows = (
        Contribution.objects.filter(initiative=initiative, outcome__isnull=False)
        .values("activity__partner_id", "outcome_id", "strength")
        .annotate(claims=Count("id"))
        .order_by()
    )
    for row in rows:
        key = (row["activity__partner_id"], row["outcome_id"])
        if key[1] not in outcome_ids:
            continue
        _add(matrix.cells.setdefault(key, Cell()), row["strength"], row["claims"])
    # Activities per cell (a claim is per activity and outcome, so claims = activities).
    for key, cell in matrix.cells.items():
        cell.activities = cell.direct + cell.indirect
        acts[key].add(cell.activities)
    verdicts = (
        ClaimReview.objects.filter(initiative=initiative, contribution__outcome__isnull=False)
        .values("contribution__activity__partner_id", "contribution__outcome_id", "verdict")
        .annotate(n=Count("contribution", distinct=True))
        .order_by()
    )
    for row in verdicts:
        key = (row["contribution__activity__partner_id"], row["contribution__outcome_id"])
        cell = matrix.cells.get(key)
        if cell is None:
            continue
        if row["verdict"] == "substantiated":
            cell.substantiated += row["n"]
        else:
            cell.contested += row["n"]
    for (partner_id, outcome_id), cell in matrix.cells.items():
        for totals, key in (
            (matrix.outcome_totals, outcome_id),
            (matrix.partner_totals, partner_id),
        ):
            total = totals.setdefault(key, Cell())
            total.activities += cell.activities
            total.direct += cell.direct
            total.indirect += cell.indirect
            total.substantiated += cell.substantiated
            total.contested += cell.contested
    return matrix


def heat_rows(matrix: Matrix, partners, list_url: str) -> list[tuple]:
    """(partner, the row's cells as HTML, total) for the heat map. Built here rather than in a
    template loop: 200 partners × 60 outcomes are 12,000 cells, and a template renders them
    ten times slower than a string join."""
    heads = [(o.pk, str(o.uid), escape(o.title)) for o, _d in matrix.outcomes]
    empty = Cell()
    rows = []
    for p in partners:
        name = escape(p.name)
        parts = []
        for opk, ouid, otitle in heads:
            c = matrix.cells.get((p.pk, opk), empty)
            if not c.activities:
                parts.append('<td class="heat heat-0"></td>')
                continue
            words = escape(c.words)
            mark = (
                '<i class="bi bi-question-circle-fill" aria-hidden="true"></i>'
                if c.contested
                else ""
            )
            parts.append(
                f'<td class="heat heat-{c.level}"><a href="{list_url}?partner={p.uid}&amp;'
                f'outcome={ouid}" aria-label="{name} on {otitle}: {words}" title="{words}">'
                f"{c.activities}{mark}</a></td>"
            )
        rows.append((p, mark_safe("".join(parts)), matrix.partner_totals.get(p.pk, empty)))  # noqa: S308
    return rows
