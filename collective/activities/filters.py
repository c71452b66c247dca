"""One FilterSet per list, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from collective.core.http import is_uuid
from collective.core.models import Partner

from .choices import ActivityStatus, Lever, Strength
from .models import Activity, Contribution


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    partner = django_filters.CharFilter(method="filter_partner", label="Partner")
    outcome = django_filters.CharFilter(method="filter_outcome", label="Outcome")
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)
    lever = django_filters.ChoiceFilter(choices=Lever.choices, label="Lever")
    waiting = django_filters.BooleanFilter(method="filter_waiting", label="Waiting on a delay")

    class Meta:
        model = Activity
        fields = ["q", "partner", "outcome", "status", "lever", "waiting"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_partner(self, queryset, name, value):
        """The partner and the partners below it (a department's teams)."""
        if not is_uuid(value):
            return queryset.none()
        partner = Partner.objects.filter(uid=value).only("path").first()
        if partner is None:
            return queryset.none()
        return queryset.filter(partner__path__startswith=partner.path)

    def filter_outcome(self, queryset, name, value):
        if not is_uuid(value):
            return queryset.none()
        return queryset.filter(claims__outcome__uid=value).distinct()

    def filter_waiting(self, queryset, name, value):
        return queryset.exclude(waiting_reason="") if value else queryset.filter(waiting_reason="")


class ContributionFilter(django_filters.FilterSet):
    activity = django_filters.CharFilter(method="filter_activity")
    outcome = django_filters.CharFilter(method="filter_outcome")
    indicator = django_filters.CharFilter(field_name="indicator__code")
    partner = django_filters.CharFilter(method="filter_partner")
    strength = django_filters.ChoiceFilter(choices=Strength.choices)
    verdict = django_filters.ChoiceFilter(
        choices=[
            ("substantiated", "Substantiated"),
            ("contested", "Contested"),
            ("none", "Not reviewed"),
        ],
        method="filter_verdict",
    )

    class Meta:
        model = Contribution
        fields = ["activity", "outcome", "indicator", "partner", "strength", "verdict"]

    def filter_activity(self, queryset, name, value):
        return queryset.filter(activity__uid=value) if is_uuid(value) else queryset.none()

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(outcome__uid=value) if is_uuid(value) else queryset.none()

    def filter_partner(self, queryset, name, value):
        return queryset.filter(activity__partner__uid=value) if is_uuid(value) else queryset.none()

    def filter_verdict(self, queryset, name, value):
        if value == "none":
            return queryset.filter(reviews__isnull=True)
        return queryset.filter(reviews__verdict=value).distinct()
