"""One FilterSet per list, shared by the pages and the API."""

from __future__ import annotations

import datetime
import uuid

import django_filters
from django.db.models import Q

from . import periods
from .choices import IndicatorLevel, ObservationStatus, RbaQuestion, Source, Status
from .models import Indicator, Observation


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


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    level = django_filters.ChoiceFilter(choices=IndicatorLevel.choices)
    rba_question = django_filters.ChoiceFilter(choices=RbaQuestion.choices, label="RBA question")
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", label="Status"
    )
    outcome = django_filters.CharFilter(method="filter_outcome", label="Outcome")
    partner = django_filters.CharFilter(method="filter_partner", label="Partner")
    is_public = django_filters.BooleanFilter()
    archived = django_filters.BooleanFilter()

    class Meta:
        model = Indicator
        fields = ["q", "level", "rba_question", "status", "outcome", "partner", "is_public"]

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
        if str(value).isdigit():
            key = Q(assignments__partner_id=value, assignments__active=True) | Q(
                owner_partner_id=value
            )
        elif uid := _uuid(value):
            key = Q(assignments__partner__uid=uid, assignments__active=True) | Q(
                owner_partner__uid=uid
            )
        else:
            return queryset.none()
        return queryset.filter(key).distinct()


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Indicator code")
    partner = django_filters.CharFilter(method="filter_partner", label="Partner (uid or name)")
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

    def filter_partner(self, queryset, name, value):
        if uid := _uuid(value):
            return queryset.filter(partner__uid=uid)
        return queryset.filter(
            Q(partner__name__iexact=value) | Q(partner__short_name__iexact=value)
        )

    def filter_from(self, queryset, name, value):
        start = _period_start(value)
        return queryset.filter(period_start__gte=start) if start else queryset.none()

    def filter_to(self, queryset, name, value):
        start = _period_start(value)
        return queryset.filter(period_start__lte=start) if start else queryset.none()
