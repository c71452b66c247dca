"""One FilterSet per list, shared by the pages and the API."""

from __future__ import annotations

import uuid

import django_filters
from django.db.models import Q
from django.utils import timezone

from .choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    DecisionMethod,
    DecisionStatus,
    FeedbackStatus,
    FeedbackTheme,
    UpdateKind,
)
from .models import ActionItem, Decision, Discussion, Feedback, Update


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _partner_q(prefix: str, value):
    if uid := _uuid(value):
        return Q(**{f"{prefix}__uid": uid})
    return Q(**{f"{prefix}__name__iexact": value}) | Q(**{f"{prefix}__short_name__iexact": value})


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open or in progress"), ("overdue", "Overdue"), *ActionStatus.choices],
        method="filter_status",
    )
    partner = django_filters.CharFilter(method="filter_partner", label="Owning partner")
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner (username)")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = ActionItem
        fields = ["q", "status", "partner", "owner", "due_before"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_ACTION_STATUSES)
        if value == "overdue":
            return queryset.filter(
                status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate()
            )
        return queryset.filter(status=value)

    def filter_partner(self, queryset, name, value):
        return queryset.filter(_partner_q("owner_partner", value))


class UpdateFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=UpdateKind.choices)
    partner = django_filters.CharFilter(method="filter_partner", label="Partner")
    outcome = django_filters.CharFilter(method="filter_outcome", label="Outcome")
    open_help = django_filters.BooleanFilter(method="filter_open_help", label="Open help wanted")

    class Meta:
        model = Update
        fields = ["kind", "partner", "outcome"]

    def filter_partner(self, queryset, name, value):
        return queryset.filter(_partner_q("partner", value))

    def filter_outcome(self, queryset, name, value):
        uid = _uuid(value)
        return queryset.filter(outcome__uid=uid) if uid else queryset.none()

    def filter_open_help(self, queryset, name, value):
        if value:
            return queryset.filter(kind=UpdateKind.HELP_WANTED, resolved_at__isnull=True)
        return queryset


class FeedbackFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices)
    theme = django_filters.ChoiceFilter(choices=FeedbackTheme.choices)

    class Meta:
        model = Feedback
        fields = ["status", "theme"]


class DecisionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices)
    method = django_filters.ChoiceFilter(choices=DecisionMethod.choices)
    to_review = django_filters.BooleanFilter(method="filter_review", label="Due for review")

    class Meta:
        model = Decision
        fields = ["q", "status", "method"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(statement__icontains=value))

    def filter_review(self, queryset, name, value):
        if value:
            return queryset.filter(
                status=DecisionStatus.TAKEN,
                reviewed_at__isnull=True,
                review_date__lte=timezone.localdate(),
            )
        return queryset


class DiscussionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Search")

    class Meta:
        model = Discussion
        fields = ["q"]
