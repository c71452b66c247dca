"""The demo: every demo partner has activities; the deliberate gaps, overlaps, near miss and
survey mismatches are there; loading twice changes nothing."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command

from collective.activities import gaps, network, selectors, similarity
from collective.activities.models import Activity, OverlapDecision, SurveyRound
from collective.core.models import Initiative, Partner


@pytest.fixture
def demo(db):
    # Demo dates are relative to today: freeze it so the test does not depend on the date.
    with time_machine.travel("2026-10-15 09:00 +0000", tick=False):
        call_command("load_demo", "--quiet-logins", stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield


def test_demo_shows_every_part_of_the_condition(demo):
    for slug in ("faster-onboarding", "youth-housing"):
        initiative = Initiative.objects.get(slug=slug)
        partners = set(Partner.objects.filter(initiative=initiative).values_list("pk", flat=True))
        owners = set(
            Activity.objects.filter(initiative=initiative).values_list("partner_id", flat=True)
        )
        supporters = set(
            Activity.supporting_partners.through.objects.filter(
                activity__initiative=initiative
            ).values_list("partner_id", flat=True)
        )
        # Every partner takes part (owns an activity, or — a department — through its teams).
        parents = set(
            Partner.objects.filter(initiative=initiative, children__isnull=False).values_list(
                "pk", flat=True
            )
        )
        assert partners - owners - supporters - parents == set()
        kinds = {g.kind for g in gaps.gap_list(initiative)}
        assert {"no_activity", "fragile", "no_indicator"} <= kinds
        assert SurveyRound.objects.filter(initiative=initiative, status="closed").exists()
    company = Initiative.objects.get(slug="faster-onboarding")
    kinds = {g.kind for g in gaps.gap_list(company)}
    assert {"single_point", "programme_only", "idle_partner"} <= kinds
    assert Activity.objects.filter(initiative=company).exclude(waiting_reason="").count() == 3
    # Two real overlaps (one per initiative) above the threshold; the near miss is decided.
    found = 0
    for slug in ("faster-onboarding", "youth-housing"):
        initiative = Initiative.objects.get(slug=slug)
        found += len(similarity.detect(selectors.overlap_docs(initiative)))
    assert found == 2
    assert OverlapDecision.objects.filter(decision="not_overlap").count() == 1
    assert OverlapDecision.objects.filter(decision="coordinate").count() == 1
    open_round = SurveyRound.objects.get(initiative=company, status="open")
    mismatches = network.mismatches(company, open_round)
    assert {m.kind for m in mismatches} == {"reported_only", "work_only"}


def test_demo_is_idempotent(demo):
    before = Activity.objects.count()
    with time_machine.travel("2026-10-16 09:00 +0000", tick=False):
        call_command("load_demo", "--quiet-logins", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Activity.objects.count() == before
