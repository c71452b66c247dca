"""The demo data of continuous communication: everything the issue asks for, loaded once."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.core.management import call_command

from collective.communication.models import (
    ActionItem,
    Decision,
    Feedback,
    HelpOffer,
    Occurrence,
    SurveyResponse,
    TouchpointSeries,
    Update,
    WebhookDelivery,
)


@pytest.fixture
def demo(db):
    call_command("load_demo", "--quiet-logins", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_demo_has_a_year_of_communication(demo):
    from collective.core.models import Initiative

    company = Initiative.objects.get(slug="faster-onboarding")
    closed = Occurrence.objects.filter(initiative=company, status="closed")
    assert closed.filter(minutes_state="locked").count() >= 10
    assert Occurrence.objects.filter(initiative=company, status="cancelled").exists()
    assert Occurrence.objects.filter(  # the latest meeting waits to be closed
        initiative=company,
        status="scheduled",
        series__title="Steering group",
        items__isnull=False,
    ).exists()
    decisions = Decision.objects.filter(initiative=company)
    assert decisions.filter(method="async", status="taken").count() == 1
    assert decisions.filter(method="async", status="proposed").count() == 1
    assert decisions.filter(reviewed_at__isnull=False).exists()
    actions = ActionItem.objects.filter(initiative=company)
    assert actions.filter(status="done").exists()
    from django.utils import timezone

    assert actions.filter(status="open", due_date__lt=timezone.localdate()).exists()
    assert actions.filter(status="open", due_date__gte=timezone.localdate()).exists()
    assert HelpOffer.objects.filter(update__initiative=company, accepted_at__isnull=False).exists()
    assert Update.objects.filter(initiative=company).count() >= 12
    states = set(Feedback.objects.filter(initiative=company).values_list("status", flat=True))
    assert states == {"new", "considered", "acted_on", "declined"}
    assert SurveyResponse.objects.filter(survey__initiative=company).count() >= 5
    assert WebhookDelivery.objects.filter(initiative=company).count() >= 2
    assert mail.outbox == []  # the demo tells nobody


def test_demo_is_idempotent(demo):
    counts = (TouchpointSeries.objects.count(), Decision.objects.count(), Update.objects.count())
    call_command("load_demo", "--quiet-logins", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert counts == (
        TouchpointSeries.objects.count(),
        Decision.objects.count(),
        Update.objects.count(),
    )
