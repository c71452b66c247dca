"""One FilterSet per list, shared by the page and the API.

- `IndicatorFilter`: indicators (the API's list; the dashboard's `DashboardFilter` is the same
  filters with choices for people, sorting and grouping);
- `ObservationFilter`: values (the API's list; the export download filters the same way);
- `TargetFilter`, `AssignmentFilter`: targets and reporting duties (the API's lists; their pages
  show one indicator's).

The partner filter means one thing in every list: the partner and every partner below it (see
`selectors.partners`), named by its uid, name or short name. FilterSets take the `initiative`
whose partners and outcomes the values name; `InitiativeFilterBackend` passes it in the API.
"""

from __future__ import annotations

import datetime
import uuid

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django_filters.rest_framework import DjangoFilterBackend

from collective.core.http import is_uuid
from collective.core.models import Partner

from . import periods
from .choices import IndicatorLevel, ObservationStatus, RbaQuestion, Source, Status
from .models import Indicator, Observation, ReportingAssignment, Target
from .selectors import SORT_ORDERS, in_subtree, partner_find


def _period_start(value):
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return periods.parse(text).start
    except periods.PeriodError:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class InitiativeFilterBackend(DjangoFilterBackend):
    """django-filter's backend for the API, passing the view's initiative to the FilterSet."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "initiative": view.initiative,
        }


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    level = django_filters.ChoiceFilter(choices=IndicatorLevel.choices)
    rba_question = django_filters.ChoiceFilter(choices=RbaQuestion.choices, label="RBA question")
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", label="Status"
    )
    outcome = django_filters.CharFilter(method="filter_outcome", label="Outcome")
    partner = django_filters.CharFilter(
        method="filter_partner", label="Partner (and the partners below it)"
    )
    is_public = django_filters.BooleanFilter()
    archived = django_filters.BooleanFilter()

    class Meta:
        model = Indicator
        fields = ["q", "level", "rba_question", "status", "outcome", "partner", "is_public"]

    def __init__(self, data=None, queryset=None, *, initiative, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.initiative = initiative

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(definition__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if value == Status.NO_DATA:
            has = Q(statuses__scope__isnull=True) & ~Q(statuses__status=Status.NO_DATA)
            return queryset.exclude(pk__in=Indicator.objects.filter(has).values("pk"))
        return queryset.filter(statuses__scope__isnull=True, statuses__status=value)

    def filter_outcome(self, queryset, name, value):
        if str(value).isdigit():
            return queryset.filter(outcomes__pk=value).distinct()
        uid = _uuid(value)
        return queryset.filter(outcomes__uid=uid).distinct() if uid else queryset.none()

    def filter_partner(self, queryset, name, value):
        """Indicators the partner or a partner below it reports (an active duty) or owns."""
        partner = partner_find(self.initiative, value)
        if partner is None:
            return queryset.none()
        reports = ReportingAssignment.objects.filter(
            in_subtree(partner), indicator_id=OuterRef("pk"), active=True
        )
        return queryset.filter(Exists(reports) | in_subtree(partner, "owner_partner"))


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Indicator code")
    partner = django_filters.CharFilter(
        method="filter_partner", label="Partner (and the partners below it)"
    )
    period = django_filters.CharFilter(field_name="period")
    period_from = django_filters.CharFilter(method="filter_from", label="From period or date")
    period_to = django_filters.CharFilter(method="filter_to", label="To period or date")
    breakdown = django_filters.CharFilter(field_name="breakdown")
    status = django_filters.ChoiceFilter(choices=ObservationStatus.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Observation
        fields = ["indicator", "partner", "period", "breakdown", "status", "source"]

    def __init__(self, data=None, queryset=None, *, initiative, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.initiative = initiative

    def filter_partner(self, queryset, name, value):
        """Values of the partner and of the partners below it."""
        partner = partner_find(self.initiative, value)
        return queryset.filter(in_subtree(partner)) if partner else queryset.none()

    def filter_from(self, queryset, name, value):
        start = _period_start(value)
        return queryset.filter(period_start__gte=start) if start else queryset.none()

    def filter_to(self, queryset, name, value):
        start = _period_start(value)
        return queryset.filter(period_start__lte=start) if start else queryset.none()


class TargetFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Indicator code")

    class Meta:
        model = Target
        fields = ["indicator"]

    def __init__(self, data=None, queryset=None, *, initiative, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.initiative = initiative


class AssignmentFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Indicator code")

    class Meta:
        model = ReportingAssignment
        fields = ["indicator"]

    def __init__(self, data=None, queryset=None, *, initiative, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.initiative = initiative


SORTS = [
    ("code", "Code"),
    ("name", "Name"),
    ("status", "Status (worst first)"),
    ("level", "Level"),
    ("updated", "Recently updated"),
]
GROUPS = [("level", "Level"), ("rba", "Question it answers")]


class DashboardFilter(IndicatorFilter):
    """The dashboard's filters: the engine's IndicatorFilter, with choices for people."""

    outcome = django_filters.ChoiceFilter(
        method="filter_outcome", label="Outcome", empty_label="All outcomes"
    )
    partner = django_filters.ChoiceFilter(
        method="filter_partner", label="Partner", empty_label="All partners"
    )
    level = django_filters.ChoiceFilter(
        choices=[(v, label.split(" — ")[0]) for v, label in IndicatorLevel.choices],
        empty_label="All levels",
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", label="Status", empty_label="Any status"
    )
    sort = django_filters.ChoiceFilter(
        choices=SORTS, method="filter_sort", label="Sort", empty_label="Code"
    )
    group = django_filters.ChoiceFilter(
        choices=GROUPS, method="filter_group", label="Group", empty_label="No grouping"
    )
    # Not offered on the dashboard (archived indicators have their own place; public is a flag).
    rba_question = None
    is_public = None
    archived = None

    class Meta:
        model = Indicator
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, initiative, **kwargs):
        from collective.agenda.models import Outcome

        super().__init__(data, queryset, initiative=initiative, **kwargs)
        self.filters["outcome"].extra["choices"] = [
            (str(o.pk), o.title)
            for o in Outcome.objects.filter(initiative=initiative).only("pk", "title")
        ]
        self.filters["partner"].extra["choices"] = self._partner_choices(initiative, data)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-select-sm".replace(
                "form-control form-select-sm", "form-control form-control-sm"
            )
        self.form.fields["q"].widget.attrs["placeholder"] = "Code or name"

    MAX_PARTNER_CHOICES = 200

    def _partner_choices(self, initiative, data) -> list[tuple[str, str]]:
        """Every partner, or — in a very large initiative — the top-level ones (a long list is
        no use to pick from, and slow to draw); a chosen deeper partner stays choosable."""
        partners = (
            Partner.objects.filter(initiative=initiative).only("uid", "name").order_by("name")
        )
        found = list(partners[: self.MAX_PARTNER_CHOICES + 1])
        if len(found) > self.MAX_PARTNER_CHOICES:
            found = list(partners.filter(parent__isnull=True)[: self.MAX_PARTNER_CHOICES])
            chosen = (data or {}).get("partner")
            if chosen and is_uuid(chosen) and all(str(p.uid) != chosen for p in found):
                found += list(partners.filter(uid=chosen))
        return [(str(p.uid), p.name) for p in found]

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDERS.get(value, ["code"]))

    def filter_group(self, queryset, name, value):
        if value == "level":
            return queryset.order_by(*SORT_ORDERS["level"])
        if value == "rba":
            return queryset.order_by("rba_question", "code")
        return queryset

    @property
    def active(self) -> bool:
        self.form.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        return any(v for k, v in data.items() if k not in ("sort", "group"))

    IGNORED_WORDS = {
        "outcome": "there is no such outcome in this initiative",
        "partner": "there is no such partner in this initiative",
    }

    def ignore_invalid(self) -> list[str]:
        """Drop the filters whose value is not one of the choices (a stale or hand-made link)
        and say so: one sentence per filter. The page then shows the other filters' result; the
        fields lose their error state, since the message is on the page."""
        if not self.is_bound or self.form.is_valid():
            return []
        notes = []
        for name in list(self.form.errors):
            field = self.form.fields.get(name)
            label = (field.label if field else name) or name
            value = str(self.data.get(name, ""))[:60]
            reason = self.IGNORED_WORDS.get(name)
            if reason is None:
                choices = [str(text) for key, text in getattr(field, "choices", []) if key]
                reason = "it is not one of the choices"
                if 0 < len(choices) <= 8:
                    reason = "choose one of " + ", ".join(choices)
            notes.append(f"{label} “{value}” was ignored: {reason}.")
            del self.form.errors[name]
        return notes
