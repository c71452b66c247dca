"""Pages of one indicator: its chart and definition, its public page, creating and editing it,
its targets, who reports it and the story behind the curve."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, wants_partial

from .. import charts, formula, periods, selectors, services
from ..choices import (
    Aggregation,
    Direction,
    IndicatorLevel,
    RbaQuestion,
    Status,
    ValueType,
)
from ..forms import (
    AssignmentForm,
    IndicatorForm,
    NarrativeForm,
    TargetForm,
)
from ..models import Indicator, Narrative, ReportingAssignment, Target
from .common import (
    P_ENTER,
    P_MANAGE,
    P_NARRATE,
    P_PUBLIC,
    P_VIEW,
    can,
    indicator_or_404,
    initiative_slug,
    own_partner,
    posted,
)

CHART_MODES = {"collective": "All partners", "partner": "Per partner", "breakdown": "By breakdown"}


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
    indicator = indicator_or_404(request, code)
    status = selectors.indicator_status(indicator)
    context = _chart_context(request, indicator, status)
    if wants_partial(request) and request.GET.get("by"):
        return render(request, "measurement/indicator_detail.html#chart", context)
    reporters = selectors.reporters(indicator)
    narrative_period = _narrative_period(request, indicator, status)
    narrative_list = list(selectors.narratives(indicator))
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
            "observations": list(selectors.latest_observations(indicator)),
            "targets": list(selectors.targets(indicator)),
            "narrative": narrative,
            "narratives": narrative_list,
            "narrative_period": narrative_period,
            "narrative_period_label": periods.label(narrative_period),
            "can_manage": can(request, P_MANAGE),
            "can_narrate": can(request, P_NARRATE),
            "can_enter": bool(own_partner(request)) and can(request, P_ENTER, own_partner(request)),
            "public_url": reverse(
                "measurement:indicator-public",
                kwargs={"slug": initiative_slug(request), "code": code},
            )
            if indicator.is_public and request.initiative.is_public
            else "",
        }
    )
    return render(request, "measurement/indicator_detail.html", context)


@initiative_view(P_PUBLIC)
def indicator_public(request, code):
    """The public page of a public indicator: readable by anyone when the initiative is public."""
    indicator = indicator_or_404(request, code)
    is_member = request.membership is not None
    if not (indicator.is_public and request.initiative.is_public) and not is_member:
        raise Http404("No such public indicator.")
    status = selectors.indicator_status(indicator)
    # The public sees the shared result (and its breakdown), not each partner's numbers.
    context = _chart_context(request, indicator, status, per_partner=is_member)
    if wants_partial(request) and request.GET.get("by"):
        return render(request, "measurement/indicator_public.html#chart", context)
    narrative_list = list(selectors.narratives(indicator)[:1])
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
    form = IndicatorForm(posted(request), initiative=initiative)
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
    indicator = indicator_or_404(request, code)
    form = IndicatorForm(posted(request), instance=indicator, initiative=request.initiative)
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
    indicator = indicator_or_404(request, code)
    if request.method == "POST":
        try:
            services.indicator_archive(actor=request.user, indicator=indicator)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(indicator)
        messages.success(
            request, f"Indicator {indicator.code} archived. Its data is kept for history."
        )
        return redirect("measurement:index", slug=initiative_slug(request))
    return render(request, "measurement/indicator_confirm_archive.html", {"indicator": indicator})


# --- Targets and reporting duties ------------------------------------------------------------


@initiative_view(P_MANAGE)
def target_list(request, code):
    indicator = indicator_or_404(request, code)
    form = TargetForm(posted(request), initiative=request.initiative)
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
            return redirect("measurement:target-list", slug=initiative_slug(request), code=code)
    return render(
        request,
        "measurement/target_list.html",
        {
            "indicator": indicator,
            "form": form,
            "targets": list(selectors.targets(indicator)),
        },
    )


@require_POST
@initiative_view(P_MANAGE)
def target_delete(request, code, pk):
    indicator = indicator_or_404(request, code)
    target = get_object_or_404(Target, indicator=indicator, pk=pk)
    try:
        services.target_delete(actor=request.user, target=target)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Target for {periods.label(target.period)} removed.")
    return redirect("measurement:target-list", slug=initiative_slug(request), code=code)


@initiative_view(P_MANAGE)
def assignment_list(request, code):
    indicator = indicator_or_404(request, code)
    form = AssignmentForm(posted(request), initiative=request.initiative)
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
            return redirect("measurement:assignment-list", slug=initiative_slug(request), code=code)
    reporters = selectors.reporters(indicator)
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
    indicator = indicator_or_404(request, code)
    assignment = get_object_or_404(
        ReportingAssignment.objects.select_related("partner"), indicator=indicator, pk=pk
    )
    try:
        services.assignment_delete(actor=request.user, assignment=assignment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{assignment.partner.name} no longer reports {code}.")
    return redirect("measurement:assignment-list", slug=initiative_slug(request), code=code)


# --- Story behind the curve ------------------------------------------------------------------


@initiative_view(P_NARRATE)
def narrative_edit(request, code, period):
    indicator = indicator_or_404(request, code)
    try:
        period = periods.normalize(period, indicator.frequency).code
    except periods.PeriodError as error:
        raise Http404(str(error)) from error
    narrative = Narrative.objects.filter(indicator=indicator, period=period).first()
    form = NarrativeForm(posted(request), instance=narrative, initiative=request.initiative)
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
