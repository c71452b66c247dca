"""Entering and reviewing values: the entry grid and its inline checks, a value's history,
review and deletion, the review queue."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import check_perm, initiative_view, paginate, render_page
from collective.core.models import Partner

from .. import periods, selectors, services
from ..choices import (
    Aggregation,
    ObservationStatus,
)
from ..forms import (
    ReviewForm,
)
from ..models import Indicator, Observation, ReportingAssignment
from .common import (
    P_DELETE,
    P_ENTER,
    P_REVIEW,
    P_VIEW,
    can,
    enterable_partners,
    initiative_slug,
    own_partner,
    partner_or_404,
)

# --- Values: history, review, delete ---------------------------------------------------------


def _observation(request, uid) -> Observation:
    return get_object_or_404(
        Observation.objects.select_related("indicator", "partner", "submitted_by", "reviewed_by"),
        initiative=request.initiative,
        uid=uid,
    )


@initiative_view(P_VIEW)
def observation_detail(request, uid):
    observation = _observation(request, uid)
    context = {
        "observation": observation,
        "indicator": observation.indicator,
        "history": list(selectors.observation_history(observation)),
        "can_review": can(request, P_REVIEW)
        and request.initiative.review_observations
        and observation.status == ObservationStatus.SUBMITTED,
        "can_delete": can(request, P_DELETE, observation),
        "review_form": ReviewForm(),
    }
    return render_page(request, "measurement/observation_detail.html", context, partial="history")


@require_POST
@initiative_view(P_REVIEW)
def observation_review(request, uid):
    observation = _observation(request, uid)
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.observation_review(
                actor=request.user,
                observation=observation,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{observation.indicator.code} {periods.label(observation.period)} for "
                f"{observation.partner.name} {'approved' if approve else 'returned'}.",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    back = request.POST.get("next", "")
    if back == "queue":
        return redirect("measurement:review-queue", slug=initiative_slug(request))
    return redirect("measurement:observation-detail", slug=initiative_slug(request), uid=uid)


@initiative_view(P_VIEW)
def observation_delete(request, uid):
    observation = _observation(request, uid)
    check_perm(request, P_DELETE, observation)
    if request.method == "POST":
        try:
            services.observation_delete(actor=request.user, observation=observation)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(
                "measurement:observation-detail", slug=initiative_slug(request), uid=uid
            )
        messages.success(
            request,
            f"The value of {observation.indicator.code} for {observation.partner.name} in "
            f"{periods.label(observation.period)} was deleted.",
        )
        return redirect(observation.indicator)
    return render(
        request, "measurement/observation_confirm_delete.html", {"observation": observation}
    )


@initiative_view(P_REVIEW)
def review_queue(request):
    page = paginate(request, selectors.review_queue(request.initiative), per_page=50)
    return render_page(
        request,
        "measurement/review_queue.html",
        {"page": page, "review_on": request.initiative.review_observations},
        partial="queue",
    )


# --- Data entry grid -------------------------------------------------------------------------


def _typed(text: str):
    """What the person typed, or None for an empty cell; the service reads numbers (it accepts
    1,234.5 and 1234,5 and explains anything else)."""
    text = (text or "").strip()
    return text or None


def _grid_partner(request) -> tuple[Partner | None, list[Partner]]:
    choices = enterable_partners(request)
    uid = request.GET.get("partner") or request.POST.get("partner") or ""
    if uid:
        partner = partner_or_404(request, uid)
        check_perm(request, P_ENTER, partner)
        return partner, choices
    if not choices:
        raise PermissionDenied
    # The own partner, unless it reports nothing and another partner the user may enter for does.
    reporting = set(
        ReportingAssignment.objects.filter(
            initiative=request.initiative, active=True, indicator__archived=False
        ).values_list("partner_id", flat=True)
    )
    own = own_partner(request)
    if own is not None and own in choices and (own.pk in reporting or not reporting):
        return own, choices
    return next((p for p in choices if p.pk in reporting), own if own in choices else choices[0]), (
        choices
    )


def _grid_periods(request, partner) -> tuple[str, list[dict]]:
    """The period to show (asked for, else the latest one due) and the periods to choose from."""
    duties = selectors.reporting_duties(request.initiative, partner)
    by_code: dict[str, dict] = {}
    for duty in duties:
        item = by_code.setdefault(
            duty["period"],
            {
                "code": duty["period"],
                "label": duty["label"],
                "states": set(),
                "due_date": duty["due_date"],
            },
        )
        item["states"].add(duty["state"])
    choices = []
    for item in by_code.values():
        states = item.pop("states")
        for state in ("overdue", "due", "open", "done"):
            if state in states:
                item["state"] = state
                break
        item["note"] = {
            "overdue": "overdue",
            "due": "due",
            "open": "current period",
            "done": "done",
        }[item["state"]]
        choices.append(item)
    choices.sort(key=lambda c: (periods.parse(c["code"]).start, c["code"]), reverse=True)
    asked = (request.GET.get("period") or request.POST.get("period") or "").strip()
    if asked and periods.is_code(asked):
        period = periods.parse(asked).code
    else:
        waiting = [c for c in choices if c["state"] in ("overdue", "due")]
        if waiting:
            period = waiting[0]["code"]  # the most recent period that is due or late
        elif choices:
            period = next((c["code"] for c in choices if c["state"] == "done"), choices[0]["code"])
        else:
            period = periods.last_complete("month").code
    if period not in by_code:
        choices.insert(0, {"code": period, "label": periods.label(period), "note": ""})
    return period, choices


def _plain(value) -> str:
    """A Decimal as people type it: 12.5, not 12.500000."""
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def _grid_rows(grid_data) -> list[dict]:
    rows = []
    for index, row in enumerate(grid_data["rows"]):
        indicator = row["indicator"]
        key = f"{indicator.pk}-{index}"
        current, previous = row["observation"], row["previous"]
        rows.append(
            {
                **row,
                "key": key,
                "current": current,
                "last": previous,
                "current_plain": {
                    name: _plain(getattr(current, name)) if current else ""
                    for name in ("value", "numerator", "denominator")
                },
                "last_plain": {
                    name: _plain(getattr(previous, name)) if previous else ""
                    for name in ("value", "numerator", "denominator")
                },
                "check_vals": json.dumps(
                    {"key": key, "indicator": indicator.code, "breakdown": row["breakdown"]}
                ),
                "due_date": periods.due_date(grid_data["period"], row["assignment"].due_days),
            }
        )
    return rows


@initiative_view(P_VIEW)
def grid(request):
    """Enter a partner's values for one period: indicators × breakdown values."""
    partner, choices = _grid_partner(request)
    period, period_choices = _grid_periods(request, partner)
    grid_data = selectors.grid(request.initiative, partner, period)
    rows = _grid_rows(grid_data)
    typed: dict[str, dict] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        fill = request.POST.get("fill", "")
        typed = _typed_values(request.POST, rows)
        if fill:
            _fill_from_last(rows, typed, only=None if fill == "all" else fill)
        else:
            submitted, keys = _rows_to_submit(rows, typed, partner, period)
            if not submitted:
                messages.info(request, "Nothing to save: type a value in at least one cell.")
            else:
                try:
                    result = services.observations_upsert(
                        actor=request.user,
                        initiative=request.initiative,
                        rows=submitted,
                        source="form",
                    )
                except ApplicationError as error:
                    errors = _row_errors(error, keys)
                    status = 400
                    messages.error(
                        request,
                        "Nothing was saved: "
                        + ("correct the cells marked below." if errors else error.message),
                    )
                else:
                    messages.success(request, _saved_message(result))
                    return redirect(
                        f"{reverse('measurement:grid', kwargs={'slug': initiative_slug(request)})}"
                        f"?partner={partner.uid}&period={period}"
                    )
    for row in rows:
        row["typed"] = typed.get(row["key"], {})
        row["errors"] = errors.get(row["key"], [])
    due_dates = [row["due_date"] for row in rows]
    context = {
        "partner": partner,
        "partners": choices,
        "period": period,
        "period_label": periods.label(period),
        "grid": grid_data,
        "rows": rows,
        "has_breakdowns": any(row["breakdown"] for row in rows),
        "due_date": min(due_dates) if due_dates else None,
        "all_in": bool(rows) and all(row["current"] for row in rows),
        "period_choices": period_choices,
        "review_on": request.initiative.review_observations,
    }
    return render(request, "measurement/grid.html", context, status=status)


def _typed_values(post, rows) -> dict[str, dict]:
    typed = {}
    for row in rows:
        key = row["key"]
        typed[key] = {
            name: post.get(f"{name}-{key}", "")
            for name in ("value", "numerator", "denominator", "note")
        }
    return typed


def _fill_from_last(rows, typed, only: str | None) -> None:
    for row in rows:
        if only is not None and row["key"] != only:
            continue
        last = row["last_plain"]
        cell = typed.setdefault(row["key"], {})
        if not row["last"] or any(cell.get(n) for n in ("value", "numerator", "denominator")):
            continue
        for name in ("value", "numerator", "denominator"):
            if last.get(name):
                cell[name] = last[name]
        if not cell.get("note"):
            cell["note"] = "Unchanged since last period."


def _rows_to_submit(rows, typed, partner, period) -> tuple[list[dict], list[str]]:
    submitted, keys = [], []
    for row in rows:
        cell = typed.get(row["key"], {})
        numbers = {n: _typed(cell.get(n, "")) for n in ("value", "numerator", "denominator")}
        note = (cell.get("note") or "").strip()
        current = row["current"]
        if all(v is None for v in numbers.values()):
            if current is None or note == (current.note or ""):
                continue
            # Only the note changed: keep the saved numbers.
            numbers = {n: getattr(current, n) for n in numbers}
        item = {
            "indicator": row["indicator"].code,
            "partner": str(partner.uid),
            "period": period,
            "breakdown": row.get("breakdown", ""),
            "note": note,
        }
        if row["indicator"].aggregation == Aggregation.RATIO:
            item["numerator"] = numbers["numerator"]
            item["denominator"] = numbers["denominator"]
        else:
            item["value"] = numbers["value"]
        submitted.append(item)
        keys.append(row["key"])
    return submitted, keys


def _row_errors(error: ApplicationError, keys: list[str]) -> dict[str, list[str]]:
    """Map the service's row errors back to the grid cells that sent them."""
    result: dict[str, list[str]] = {}
    row_errors = getattr(error, "rows", None) or (error.errors or {}).get("rows") or []
    for item in row_errors:
        index = item.get("row")
        if isinstance(index, int) and 1 <= index <= len(keys):
            key = keys[index - 1]
            message = item.get("message", "")
            result.setdefault(key, []).append(message)
    return result


def _saved_message(result) -> str:
    created = getattr(result, "created", 0)
    updated = getattr(result, "updated", 0)
    unchanged = getattr(result, "unchanged", 0)
    parts = []
    if created:
        parts.append(f"{created} new")
    if updated:
        parts.append(f"{updated} changed")
    if unchanged:
        parts.append(f"{unchanged} unchanged")
    return "Saved: " + (", ".join(parts) or "no changes") + "."


@require_POST
@initiative_view(P_VIEW)
def grid_check(request):
    """Inline validation of one grid cell (htmx): the messages, without saving anything."""
    partner = partner_or_404(request, request.POST.get("partner", ""))
    check_perm(request, P_ENTER, partner)
    indicator = get_object_or_404(
        Indicator, initiative=request.initiative, code=request.POST.get("indicator", "")
    )
    key = request.POST.get("key", "")
    values = {
        name: _typed(request.POST.get(f"{name}-{key}", ""))
        for name in ("value", "numerator", "denominator")
    }
    problems: list[str] = []
    if any(v is not None for v in values.values()):
        try:
            found = services.observation_check(
                indicator=indicator,
                partner=partner,
                period=request.POST.get("period", ""),
                breakdown=request.POST.get("breakdown", ""),
                **values,
            )
        except ApplicationError as error:
            found = error.errors or {"value": [error.message]}
        for field_errors in (found or {}).values():
            problems.extend(field_errors)
    return render(
        request,
        "measurement/_grid_message.html",
        {"problems": problems, "key": key, "checked": any(v is not None for v in values.values())},
    )
