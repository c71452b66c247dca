"""Pages of shared measurement: dashboard, indicators, data entry, reporting, imports, scorecards.

Views parse input, check permission once and call the services (writes) or the selectors and
`queries` (reads). Every page works without JavaScript; htmx swaps named partials.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from collective.core import spreadsheets
from collective.core.errors import ApplicationError
from collective.core.http import (
    check_perm,
    initiative_view,
    paginate,
    render_page,
    wants_partial,
)
from collective.core.models import Partner

from . import charts, formula, periods, queries, selectors, services
from .choices import (
    Aggregation,
    Direction,
    ImportState,
    IndicatorLevel,
    ObservationStatus,
    RbaQuestion,
    Status,
    ValueType,
)
from .forms import (
    AssignmentForm,
    DashboardFilter,
    ImportForm,
    IndicatorForm,
    NarrativeForm,
    ReviewForm,
    TargetForm,
)
from .models import ImportJob, Indicator, Narrative, Observation, ReportingAssignment, Target

# Permissions (rules in rules.py). Pages check them once, here.
P_VIEW = "measurement.view_measures"
P_PUBLIC = "measurement.view_public_measures"
P_MANAGE = "measurement.manage_indicators"
P_ENTER_ANY = "measurement.enter_data"
P_ENTER = "measurement.enter_observation"  # object: the partner or the observation
P_DELETE = "measurement.delete_observation"  # object: the observation
P_IMPORT = "measurement.import_data"
P_REVIEW = "measurement.review_data"
P_NARRATE = "measurement.write_narrative"
P_COMPLETENESS = "measurement.view_completeness"

EMPTY_PURPOSE = "Agree on what success looks like, and track it together."
EMPTY_TIP = (
    "Use a consistent set of objectives and KPIs across teams and keep data visible and "
    "transparent."
)
CHART_MODES = {"collective": "All partners", "partner": "Per partner", "breakdown": "By breakdown"}


def _slug(request) -> str:
    return request.initiative.slug


def _indicator(request, code: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("owner_partner", "initiative"),
        initiative=request.initiative,
        code=code,
    )


def _partner(request, uid) -> Partner | None:
    """A partner of this initiative by its uid; None for an unknown or malformed uid."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        return None
    return Partner.objects.filter(initiative=request.initiative, uid=key).first()


def _partner_or_404(request, uid) -> Partner:
    partner = _partner(request, uid)
    if partner is None:
        raise Http404("No such partner.")
    return partner


def _posted(request):
    """The POST data of a POST (even an empty one), else None: the form stays unbound."""
    return request.POST if request.method == "POST" else None


def _can(request, perm: str, obj=None) -> bool:
    return request.user.has_perm(perm, obj if obj is not None else request.initiative)


def _own_partner(request) -> Partner | None:
    membership = request.membership
    return membership.partner if membership is not None else None


def _enterable_partners(request) -> list[Partner]:
    """Partners the user may enter data for: all for the backbone, else the own subtree."""
    partners = Partner.objects.filter(initiative=request.initiative).order_by("path")
    own = _own_partner(request)
    if not _can(request, P_MANAGE):
        if own is None:
            return []
        partners = partners.filter(path__startswith=own.path)
    return [p for p in partners if _can(request, P_ENTER, p)]


# --- Dashboard -------------------------------------------------------------------------------


@initiative_view(P_VIEW)
def index(request):
    """The measures dashboard: every indicator with sparkline, latest value, target, status.

    Reads the indicators with their collective IndicatorStatus (one query for the page, one
    for the outcomes, one for the count), never observations.
    """
    initiative = request.initiative
    filterset = DashboardFilter(
        request.GET or None,
        queryset=queries.dashboard_indicators(initiative),
        initiative=initiative,
    )
    ignored = filterset.ignore_invalid()
    indicators = filterset.qs if filterset.is_bound else filterset.queryset
    page = paginate(request, indicators, per_page=50)
    prefetch_related_objects(page.object_list, "outcomes")
    counts = queries.status_counts(initiative)
    total = sum(counts.values())
    group = filterset.form.cleaned_data.get("group", "") if filterset.is_bound else ""
    query = request.GET.copy()
    query.pop("page", None)
    own = _own_partner(request)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "groups": _group_rows(page.object_list, group),
        "group": group,
        "counts": counts,
        "total": total,
        "filtered": filterset.is_bound and filterset.active,
        "ignored_filters": ignored,
        "querystring": query.urlencode(),
        "can_manage": _can(request, P_MANAGE),
        "can_import": _can(request, P_IMPORT),
        "can_enter": own is not None and _can(request, P_ENTER, own),
        "can_review": _can(request, P_REVIEW) and initiative.review_observations,
        "empty_purpose": EMPTY_PURPOSE,
        "empty_tip": EMPTY_TIP,
    }
    return render_page(request, "measurement/indicator_list.html", context, partial="indicators")


GROUP_LABELS = {
    "level": dict(IndicatorLevel.choices),
    "rba": dict(RbaQuestion.choices),
}


def _group_rows(rows, group: str) -> list[tuple[str, list]]:
    if group not in GROUP_LABELS:
        return [("", list(rows))]
    labels = GROUP_LABELS[group]
    result: list[tuple[str, list]] = []
    for row in rows:
        key = row.level if group == "level" else row.rba_question
        title = labels.get(key, key)
        if not result or result[-1][0] != title:
            result.append((title, []))
        result[-1][1].append(row)
    return result


# --- Indicator page --------------------------------------------------------------------------


def _chart_context(request, indicator, status, *, per_partner: bool = True) -> dict:
    by = request.GET.get("by", "collective")
    if (
        by not in CHART_MODES
        or (by == "breakdown" and not indicator.breakdown_dimension)
        or (by == "partner" and not per_partner)
    ):
        by = "collective"
    series = selectors.series(indicator, by=by)
    status_value = status.status if status else Status.NO_DATA
    data = charts.chart_data_from_series(
        indicator, series, by=by, status=status_value, status_label=Status(status_value).label
    )
    columns, rows = charts.table_rows(data)
    modes = dict(CHART_MODES)
    if not per_partner:
        modes.pop("partner")
    if indicator.breakdown_dimension:
        modes["breakdown"] = f"By {indicator.breakdown_dimension.lower()}"
    else:
        modes.pop("breakdown")
    return {
        "chart": data,
        "chart_spec": charts.indicator_spec(data),
        "chart_spec_id": f"chart-spec-{by}",
        "chart_description": charts.describe(data),
        "chart_columns": columns,
        "chart_rows": rows,
        "chart_by": by,
        "chart_modes": modes,
    }


_FORMULA_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _formula_html(indicator, inputs) -> SafeString:
    """The formula with each input indicator's code linked to its page (the rest escaped)."""
    by_code = {i.code.upper(): i for i in inputs}
    text = indicator.formula
    pieces = []
    pos = 0
    for match in _FORMULA_NAME_RE.finditer(text):
        pieces.append(escape(text[pos : match.start()]))
        found = by_code.get(match.group().upper())
        if found is None:
            pieces.append(escape(match.group()))
        else:
            pieces.append(
                format_html(
                    '<a href="{}" title="{}">{}</a>',
                    found.get_absolute_url(),
                    found.name,
                    found.code,
                )
            )
        pos = match.end()
    pieces.append(escape(text[pos:]))
    return format_html('<code class="formula">{}</code>', mark_safe("".join(pieces)))  # noqa: S308


def _definition(indicator, inputs=()) -> list[tuple[str, str]]:
    """The definition panel's rows. A formula indicator shows its formula (inputs linked) and
    leaves out what only applies to reported values: aggregation across partners, running
    totals, the valid range of entered values and the data source of a report."""
    computed = bool(indicator.formula)
    low, high = indicator.min_value, indicator.max_value
    if low is None and high is None:
        valid = "Any number"
    else:
        valid = (
            f"{charts.format_for(indicator, low) if low is not None else 'no minimum'} to "
            f"{charts.format_for(indicator, high) if high is not None else 'no maximum'}"
        )
    baseline = "—"
    if indicator.baseline_value is not None:
        baseline = charts.format_for(indicator, indicator.baseline_value)
        if indicator.baseline_period:
            baseline += f" in {periods.label(indicator.baseline_period)}"
    breakdown = "None"
    if indicator.breakdown_dimension:
        breakdown = indicator.breakdown_dimension
        if indicator.breakdown_values:
            breakdown += ": " + ", ".join(str(v) for v in indicator.breakdown_values)
    rows = [
        ("Level", IndicatorLevel(indicator.level).label),
        ("Question it answers", RbaQuestion(indicator.rba_question).label),
        ("Direction", Direction(indicator.direction).label),
        ("Unit", indicator.unit or "—"),
        ("Kind of value", ValueType(indicator.value_type).label),
        ("Frequency", indicator.get_frequency_display()),
    ]
    if computed:
        rows.append(("Formula", _formula_html(indicator, inputs)))
        if indicator.breakdown_dimension:
            rows.append(("Breakdown", breakdown))
    else:
        rows += [
            ("Aggregation across partners", Aggregation(indicator.aggregation).label),
            ("Cumulative", "Yes — running total over time" if indicator.cumulative else "No"),
            ("Valid range", valid),
            ("Breakdown", breakdown),
        ]
    rows.append(("Baseline", baseline))
    if not computed or indicator.data_source:
        rows.append(("Data source", indicator.data_source or "—"))
    rows.append(("Owner", indicator.owner_partner.name if indicator.owner_partner else "—"))
    return rows


def _freshness(indicator, reporters, today=None) -> list[dict]:
    """Each reporting partner's last period and whether it is late."""
    today = today or timezone.localdate()
    result = []
    for reporter in reporters:
        assignment = reporter.assignment
        expected = periods.last_complete(indicator.frequency, today)
        # The last period whose due date has passed is the one that should be in by now.
        while periods.due_date(expected.code, assignment.due_days) > today:
            expected = expected.shift(-1)
        if assignment.starts_period and periods.is_code(assignment.starts_period):
            starts = periods.parse(assignment.starts_period)
            if starts.frequency == indicator.frequency and starts.index > expected.index:
                expected = None
        late_days = None
        if expected is not None and assignment.active:
            latest = reporter.latest_period
            behind = not latest or (
                periods.is_code(latest) and periods.parse(latest).index < expected.index
            )
            if behind:
                first_missing = (
                    periods.parse(latest).shift(1)
                    if latest and periods.is_code(latest)
                    else expected
                )
                late_days = (today - periods.due_date(first_missing.code, assignment.due_days)).days
        result.append(
            {
                "reporter": reporter,
                "partner": assignment.partner,
                "expected": expected.code if expected else "",
                "late_days": late_days,
                "latest_label": periods.label(reporter.latest_period)
                if reporter.latest_period
                else "",
            }
        )
    return result


def _narrative_period(request, indicator, status) -> str:
    period = request.GET.get("period", "")
    if period:
        try:
            return periods.normalize(period, indicator.frequency).code
        except periods.PeriodError:
            pass
    if status and status.latest_period:
        return status.latest_period
    return periods.last_complete(indicator.frequency).code


@initiative_view(P_VIEW)
def indicator_detail(request, code):
    indicator = _indicator(request, code)
    status = queries.indicator_status(indicator)
    context = _chart_context(request, indicator, status)
    if wants_partial(request) and request.GET.get("by"):
        return render(request, "measurement/indicator_detail.html#chart", context)
    reporters = queries.reporters(indicator)
    narrative_period = _narrative_period(request, indicator, status)
    narrative_list = list(queries.narratives(indicator))
    narrative = next((n for n in narrative_list if n.period == narrative_period), None)
    inputs = []
    if indicator.formula:
        try:
            codes = formula.parse(indicator.formula).codes
        except formula.FormulaError:
            codes = set()
        inputs = list(
            Indicator.objects.filter(initiative=request.initiative, code__in=codes)
            .only("code", "name", "initiative_id")
            .order_by("code")
        )
        for item in inputs:
            item.initiative = request.initiative  # their links need the slug: no query each
    context.update(
        {
            "indicator": indicator,
            "status": status,
            "inputs": inputs,
            "definition": _definition(indicator, inputs),
            "outcomes": list(indicator.outcomes.all()),
            "freshness": _freshness(indicator, reporters),
            "observations": list(queries.latest_observations(indicator)),
            "targets": list(queries.targets(indicator)),
            "narrative": narrative,
            "narratives": narrative_list,
            "narrative_period": narrative_period,
            "narrative_period_label": periods.label(narrative_period),
            "can_manage": _can(request, P_MANAGE),
            "can_narrate": _can(request, P_NARRATE),
            "can_enter": bool(_own_partner(request))
            and _can(request, P_ENTER, _own_partner(request)),
            "public_url": reverse(
                "measurement:indicator-public", kwargs={"slug": _slug(request), "code": code}
            )
            if indicator.is_public and request.initiative.is_public
            else "",
        }
    )
    return render(request, "measurement/indicator_detail.html", context)


@initiative_view(P_PUBLIC)
def indicator_public(request, code):
    """The public page of a public indicator: readable by anyone when the initiative is public."""
    indicator = _indicator(request, code)
    is_member = request.membership is not None
    if not (indicator.is_public and request.initiative.is_public) and not is_member:
        raise Http404("No such public indicator.")
    status = queries.indicator_status(indicator)
    # The public sees the shared result (and its breakdown), not each partner's numbers.
    context = _chart_context(request, indicator, status, per_partner=is_member)
    if wants_partial(request) and request.GET.get("by"):
        return render(request, "measurement/indicator_public.html#chart", context)
    narrative_list = list(queries.narratives(indicator)[:1])
    context.update(
        {
            "indicator": indicator,
            "status": status,
            "definition": _definition(indicator),
            "outcomes": list(indicator.outcomes.all()),
            "narrative": narrative_list[0] if narrative_list else None,
            "is_member": is_member,
        }
    )
    return render(request, "measurement/indicator_public.html", context)


# --- Indicator create / edit / archive -------------------------------------------------------


@initiative_view(P_MANAGE)
def indicator_create(request):
    initiative = request.initiative
    form = IndicatorForm(_posted(request), initiative=initiative)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        code = fields.pop("code")
        name = fields.pop("name")
        try:
            indicator = services.indicator_create(
                actor=request.user, initiative=initiative, code=code, name=name, **fields
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Indicator {indicator.code} created. Next: say who reports it and set targets.",
            )
            return redirect(
                "measurement:assignment-list", slug=initiative.slug, code=indicator.code
            )
    return render(request, "measurement/indicator_form.html", {"form": form, "indicator": None})


@initiative_view(P_MANAGE)
def indicator_edit(request, code):
    indicator = _indicator(request, code)
    form = IndicatorForm(_posted(request), instance=indicator, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                actor=request.user, indicator=indicator, **form.service_fields()
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Indicator {indicator.code} saved.")
            return redirect(indicator)
    return render(
        request, "measurement/indicator_form.html", {"form": form, "indicator": indicator}
    )


@initiative_view(P_MANAGE)
def indicator_archive(request, code):
    indicator = _indicator(request, code)
    if request.method == "POST":
        try:
            services.indicator_archive(actor=request.user, indicator=indicator)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(indicator)
        messages.success(
            request, f"Indicator {indicator.code} archived. Its data is kept for history."
        )
        return redirect("measurement:index", slug=_slug(request))
    return render(request, "measurement/indicator_confirm_archive.html", {"indicator": indicator})


# --- Targets and reporting duties ------------------------------------------------------------


@initiative_view(P_MANAGE)
def target_list(request, code):
    indicator = _indicator(request, code)
    form = TargetForm(_posted(request), initiative=request.initiative)
    example = periods.EXAMPLES.get(indicator.frequency, "2026-12")
    form.fields["period"].help_text = (
        f"The period the target is for. {indicator.code} is reported "
        f"{indicator.get_frequency_display().lower()}: e.g. {example}."
    )
    form.fields["period"].widget.attrs["placeholder"] = example
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_set(
                actor=request.user,
                indicator=indicator,
                period=form.cleaned_data["period"],
                value=form.cleaned_data["value"],
                partner=form.cleaned_data["partner"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            who = target.partner.name if target.partner else "Collective"
            messages.success(
                request,
                f"{who} target for {periods.label(target.period)} set to "
                f"{charts.format_for(indicator, target.value)}.",
            )
            return redirect("measurement:target-list", slug=_slug(request), code=code)
    return render(
        request,
        "measurement/target_list.html",
        {
            "indicator": indicator,
            "form": form,
            "targets": list(queries.targets(indicator)),
        },
    )


@require_POST
@initiative_view(P_MANAGE)
def target_delete(request, code, pk):
    indicator = _indicator(request, code)
    target = get_object_or_404(Target, indicator=indicator, pk=pk)
    try:
        services.target_delete(actor=request.user, target=target)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Target for {periods.label(target.period)} removed.")
    return redirect("measurement:target-list", slug=_slug(request), code=code)


@initiative_view(P_MANAGE)
def assignment_list(request, code):
    indicator = _indicator(request, code)
    form = AssignmentForm(_posted(request), initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_set(
                actor=request.user, indicator=indicator, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{assignment.partner.name} reports {indicator.code}, due "
                f"{assignment.due_days} days after each period.",
            )
            return redirect("measurement:assignment-list", slug=_slug(request), code=code)
    reporters = queries.reporters(indicator)
    return render(
        request,
        "measurement/assignment_list.html",
        {
            "indicator": indicator,
            "form": form,
            "freshness": _freshness(indicator, reporters),
        },
    )


@require_POST
@initiative_view(P_MANAGE)
def assignment_delete(request, code, pk):
    indicator = _indicator(request, code)
    assignment = get_object_or_404(
        ReportingAssignment.objects.select_related("partner"), indicator=indicator, pk=pk
    )
    try:
        services.assignment_delete(actor=request.user, assignment=assignment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{assignment.partner.name} no longer reports {code}.")
    return redirect("measurement:assignment-list", slug=_slug(request), code=code)


# --- Story behind the curve ------------------------------------------------------------------


@initiative_view(P_NARRATE)
def narrative_edit(request, code, period):
    indicator = _indicator(request, code)
    try:
        period = periods.normalize(period, indicator.frequency).code
    except periods.PeriodError as error:
        raise Http404(str(error)) from error
    narrative = Narrative.objects.filter(indicator=indicator, period=period).first()
    form = NarrativeForm(_posted(request), instance=narrative, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            services.narrative_save(
                actor=request.user, indicator=indicator, period=period, **form.service_fields()
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Story behind the curve for {periods.label(period)} saved.")
            return redirect(f"{indicator.get_absolute_url()}?period={period}#story")
    return render(
        request,
        "measurement/narrative_form.html",
        {
            "indicator": indicator,
            "form": form,
            "period": period,
            "period_label": periods.label(period),
            "narrative": narrative,
        },
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
        "history": list(queries.observation_history(observation)),
        "can_review": _can(request, P_REVIEW)
        and request.initiative.review_observations
        and observation.status == ObservationStatus.SUBMITTED,
        "can_delete": _can(request, P_DELETE, observation),
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
        return redirect("measurement:review-queue", slug=_slug(request))
    return redirect("measurement:observation-detail", slug=_slug(request), uid=uid)


@initiative_view(P_VIEW)
def observation_delete(request, uid):
    observation = _observation(request, uid)
    check_perm(request, P_DELETE, observation)
    if request.method == "POST":
        try:
            services.observation_delete(actor=request.user, observation=observation)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("measurement:observation-detail", slug=_slug(request), uid=uid)
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
    page = paginate(request, queries.review_queue(request.initiative), per_page=50)
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
    choices = _enterable_partners(request)
    uid = request.GET.get("partner") or request.POST.get("partner") or ""
    if uid:
        partner = _partner_or_404(request, uid)
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
    own = _own_partner(request)
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
                    result = services.observations_upsert_bulk(
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
                        f"{reverse('measurement:grid', kwargs={'slug': _slug(request)})}"
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
    partner = _partner_or_404(request, request.POST.get("partner", ""))
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


# --- My reporting and completeness -----------------------------------------------------------


REPORTING_SECTIONS = [
    ("overdue", "Overdue", "exclamation-circle", "Nothing is overdue."),
    ("due", "Due now", "hourglass-split", "Nothing is waiting: every ended period is in."),
    ("open", "Current period", "calendar-event", "No period is running."),
    ("done", "Done", "check-circle", "Nothing reported yet."),
]


def _duties_by_period(duties) -> dict[str, list[dict]]:
    """Duties grouped by state, then by period (most urgent first; done: most recent first)."""
    groups: dict[str, dict[str, dict]] = {key: {} for key, *_ in REPORTING_SECTIONS}
    for duty in duties:
        by_period = groups.setdefault(duty["state"], {})
        group = by_period.setdefault(
            duty["period"],
            {
                "period": duty["period"],
                "label": duty["label"],
                "due_date": duty["due_date"],
                "duties": [],
                "on_time": 0,
            },
        )
        group["duties"].append(duty)
        group["due_date"] = min(group["due_date"], duty["due_date"])
        group["on_time"] += 1 if duty["on_time"] else 0
    result = {}
    for state, by_period in groups.items():
        items = sorted(by_period.values(), key=lambda g: g["due_date"], reverse=state == "done")
        for item in items:
            item["duties"].sort(key=lambda d: d["indicator"].code)
        result[state] = items
    return result


@initiative_view(P_VIEW)
def my_reporting(request):
    """What the user's partner has to report: overdue, due, current and done, with due dates."""
    initiative = request.initiative
    own = _own_partner(request)
    partner = own
    uid = request.GET.get("partner", "")
    if uid:
        chosen = _partner_or_404(request, uid)
        # The backbone looks at anyone's duties; others at their own branch.
        if not _can(request, P_MANAGE) and not (own and chosen.path.startswith(own.path)):
            raise PermissionDenied
        partner = chosen
    duties = selectors.reporting_duties(initiative, partner) if partner else []
    groups = _duties_by_period(duties)
    returned = list(queries.returned_for(initiative, partner)[:50]) if partner else []
    choosable = []
    if _can(request, P_MANAGE):
        choosable = list(Partner.objects.filter(initiative=initiative).order_by("name"))
    elif own is not None:
        choosable = list(
            Partner.objects.filter(initiative=initiative, path__startswith=own.path).order_by(
                "path"
            )
        )
        if len(choosable) == 1:
            choosable = []
    done = [d for d in duties if d["state"] == "done"]
    return render(
        request,
        "measurement/my_reporting.html",
        {
            "partner": partner,
            "groups": groups,
            "has_duties": bool(duties),
            "overdue_count": sum(1 for d in duties if d["state"] == "overdue"),
            "due_count": sum(1 for d in duties if d["state"] == "due"),
            "on_time_rate": round(100 * sum(1 for d in done if d["on_time"]) / len(done))
            if done
            else None,
            "sections": REPORTING_SECTIONS,
            "returned": returned,
            "partners": choosable,
            "can_enter": partner is not None and _can(request, P_ENTER, partner),
        },
    )


@initiative_view(P_COMPLETENESS)
def completeness(request):
    """Expected / received / on time per partner, indicator and period, with rates."""
    initiative = request.initiative
    partner = indicator = None
    if request.GET.get("partner"):
        partner = _partner(request, request.GET["partner"])
    if request.GET.get("indicator"):
        indicator = Indicator.objects.filter(
            initiative=initiative, code=request.GET["indicator"]
        ).first()
    try:
        periods_back = max(1, min(int(request.GET.get("periods", 6)), 60))
    except ValueError:
        periods_back = 6
    report = selectors.completeness(
        initiative, partner=partner, indicator=indicator, periods_back=periods_back
    )
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _completeness_download(report, fmt, initiative)
    missing = [r for r in report["rows"] if not r["received"]]
    missing.sort(key=lambda r: (r["due_date"], r["partner"].name, r["indicator"].code))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    return render_page(
        request,
        "measurement/completeness.html",
        {
            "report": report,
            "totals": report["totals"],
            "missing": paginate(request, missing, per_page=50),
            "partner": partner,
            "indicator": indicator,
            "periods_back": periods_back,
            "partners": Partner.objects.filter(initiative=initiative).order_by("name"),
            "indicators": Indicator.objects.filter(initiative=initiative, archived=False)
            .only("code", "name")
            .order_by("code"),
            "querystring": query.urlencode(),
        },
        partial="report",
    )


COMPLETENESS_COLUMNS = [
    ("partner", "partner"),
    ("indicator", "indicator"),
    ("period", "period"),
    ("due_date", "due date"),
    ("expected", "expected"),
    ("received", "received"),
    ("on_time", "on time"),
    ("submitted_at", "received at"),
]


def _completeness_download(report, fmt, initiative):
    header = [title for _, title in COMPLETENESS_COLUMNS]
    rows = [[_cell(item.get(key)) for key, _ in COMPLETENESS_COLUMNS] for item in report["rows"]]
    filename = f"{initiative.slug}-completeness.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            spreadsheets.csv_bytes([header, *rows]), content_type=spreadsheets.CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            spreadsheets.xlsx_bytes({"Completeness": [header, *rows]}),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Indicator):
        return value.code
    if isinstance(value, Partner):
        return value.name
    return value


# --- Import and export -----------------------------------------------------------------------


@initiative_view(P_IMPORT)
def import_upload(request):
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_start(
                actor=request.user,
                initiative=request.initiative,
                uploaded_file=form.cleaned_data["file"],
                layout=form.cleaned_data["layout"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            return redirect("measurement:import-detail", slug=_slug(request), uid=job.uid)
    return render(
        request,
        "measurement/import_upload.html",
        {
            "form": form,
            "jobs": list(queries.import_jobs(request.initiative)[:10]),
        },
        status=400 if form.errors else 200,
    )


def _job(request, uid, *, confirming: bool = False) -> ImportJob:
    """An import of the initiative; only its uploader or the backbone may confirm it."""
    job = get_object_or_404(
        ImportJob.objects.select_related("created_by"), initiative=request.initiative, uid=uid
    )
    if confirming and job.created_by_id != request.user.pk and not _can(request, P_MANAGE):
        raise PermissionDenied
    return job


FIELD_MEANINGS = {
    "indicator": "Indicator code",
    "partner": "Partner",
    "period": "Period",
    "breakdown": "Breakdown value",
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "note": "Note",
}


def _preview_context(job) -> dict:
    preview = services.import_preview(job)
    mapping_rows = []
    for column in preview["columns"]:
        field = column["field"]
        if field.startswith("period:"):
            meaning = f"Values for {periods.label(field[7:])}"
        else:
            meaning = FIELD_MEANINGS.get(field, "")
        mapping_rows.append((column["header"] or f"(column {column['index'] + 1})", meaning))
    sample_columns: list[str] = []
    for row in preview["sample"]:
        for key in row:
            if key not in sample_columns and key != "column":
                sample_columns.append(key)
    preview.update(
        {
            "mapping_rows": mapping_rows,
            "sample_columns": sample_columns,
            "sample_rows": [[row.get(c, "") for c in sample_columns] for row in preview["sample"]],
            "valid_values": preview["create"] + preview["update"] + preview["unchanged"],
        }
    )
    return preview


@initiative_view(P_IMPORT)
def import_detail(request, uid):
    """One import: its preview (mapping, counts, row errors), its progress, or its result."""
    job = _job(request, uid)
    running = job.state in (ImportState.QUEUED, ImportState.RUNNING)
    context = {
        "job": job,
        "running": running,
        "progress": int(job.processed_rows * 100 / job.total_rows) if job.total_rows else 0,
        "can_confirm": job.created_by_id == request.user.pk or _can(request, P_MANAGE),
        "layout_label": dict(ImportForm.LAYOUTS).get(job.layout, job.layout),
    }
    if job.state == ImportState.PREVIEWED:
        context["preview"] = _preview_context(job)
    return render_page(request, "measurement/import_detail.html", context, partial="progress")


@require_POST
@initiative_view(P_IMPORT)
def import_confirm(request, uid):
    job = _job(request, uid, confirming=True)
    only_valid = request.POST.get("only_valid") == "1"
    try:
        job = services.import_confirm(actor=request.user, job=job, only_valid=only_valid)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if job.state == ImportState.DONE:
            messages.success(
                request,
                f"Imported {job.filename}: {job.created_count} new, {job.updated_count} changed, "
                f"{job.unchanged_count} unchanged.",
            )
    return redirect("measurement:import-detail", slug=_slug(request), uid=job.uid)


@initiative_view(P_VIEW)
def export(request):
    fmt = request.GET.get("format", "csv")
    layout = request.GET.get("layout", "long")
    if fmt not in ("csv", "xlsx") or layout not in ("long", "wide"):
        return HttpResponse("Choose format csv or xlsx and layout long or wide.", status=400)
    filters = {}
    if request.GET.get("indicator"):
        filters["indicator"] = request.GET["indicator"]
    if request.GET.get("partner"):
        partner = _partner(request, request.GET["partner"])
        if partner is None:
            return HttpResponse("No such partner.", status=400)
        filters["partner"] = partner
    try:
        content, content_type, filename = services.observations_export(
            initiative=request.initiative, fmt=fmt, layout=layout, **filters
        )
    except ApplicationError as error:
        return HttpResponse(error.message, status=400)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Partner scorecard -----------------------------------------------------------------------


@initiative_view(P_VIEW)
def partner_scorecard(request, uid):
    partner = get_object_or_404(
        Partner.objects.select_related("parent"), initiative=request.initiative, uid=uid
    )
    chosen = request.GET.get("partner", "")
    if chosen and chosen != str(partner.uid):
        other = _partner_or_404(request, chosen)
        return redirect("measurement:scorecard", slug=_slug(request), uid=other.uid)
    card = queries.scorecard(request.initiative, partner)
    return render(
        request,
        "measurement/partner_scorecard.html",
        {
            "partner": partner,
            "card": card,
            "counts": card.counts,
            "status_choices": Status.choices,
            "has_children": Partner.objects.filter(parent=partner).exists(),
            "partners": Partner.objects.filter(initiative=request.initiative).order_by("name"),
            "can_enter": _can(request, P_ENTER, partner),
        },
    )
