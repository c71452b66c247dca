"""Helpers of the shared-measurement tests."""

from __future__ import annotations

from collective.measurement import services


def save_value(
    *,
    actor,
    indicator,
    partner,
    period,
    value=None,
    numerator=None,
    denominator=None,
    breakdown: str = "",
    note: str | None = "",
    source: str = "form",
):
    """One value through the one door, as the grid's one-cell save sends it: returns
    (observation, 'created' | 'updated' | 'unchanged')."""
    row = {
        "indicator": indicator.code,
        "partner": str(partner.uid),
        "period": period,
        "breakdown": breakdown,
    }
    for name, given in (
        ("value", value),
        ("numerator", numerator),
        ("denominator", denominator),
        ("note", note),
    ):
        if given is not None:
            row[name] = given
    result = services.observations_upsert(
        actor=actor, initiative=indicator.initiative, rows=[row], source=source
    )
    outcome = next(k for k in ("created", "updated", "unchanged") if getattr(result, k))
    return result.observation, outcome
