"""Overlap detection: precision and recall on the labelled pairs, fingerprints, and the
decisions (coordinate raises the core hook; "not an overlap" hides the pair until a rewrite)."""

from __future__ import annotations

import datetime

import pytest

from collective.activities import services, similarity
from collective.activities.models import OverlapDecision
from collective.activities.similarity import Doc
from collective.core import hooks
from collective.core.errors import ApplicationError

from .helpers import activity
from .overlap_pairs import PAIRS


def _doc(i, side):
    text, outcomes, start, end = side
    return Doc(
        id=i,
        partner_id=i,  # every activity of its own partner
        text=text,
        outcomes=frozenset(outcomes),
        start=datetime.date(2026, start, 1),
        end=datetime.date(2026, end, 28),
    )


def _scores():
    docs = []
    for n, (a, b, _label) in enumerate(PAIRS):
        docs += [_doc(2 * n, a), _doc(2 * n + 1, b)]
    found = {(p.first, p.second): p.score for p in similarity.detect(docs, threshold=0.0)}
    return [(found.get((2 * n, 2 * n + 1), 0.0), label) for n, (_a, _b, label) in enumerate(PAIRS)]


def test_precision_and_recall_on_the_labelled_pairs():
    """At the default threshold: every labelled overlap is found; one near miss ("mobile
    vaccination van" / "mobile library van", same words, different outcomes) is a known false
    alarm — the backbone marks it "not an overlap" once."""
    scores = _scores()
    threshold = similarity.DEFAULT_THRESHOLD
    tp = sum(1 for s, label in scores if label and s >= threshold)
    fp = sum(1 for s, label in scores if not label and s >= threshold)
    fn = sum(1 for s, label in scores if label and s < threshold)
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    assert precision >= 0.9, f"precision {precision:.2f} ({fp} false alarms)"
    assert recall >= 0.8, f"recall {recall:.2f} ({fn} missed)"


def test_an_obvious_duplicate_is_found_and_unrelated_work_is_not():
    docs = [
        Doc(1, 1, "Weekly food parcels for families in the north district"),
        Doc(2, 2, "Weekly food parcels for families in the north district"),
        Doc(3, 3, "Legal clinic defending tenants against eviction"),
        Doc(4, 4, "Paid apprenticeships in construction for young people"),
    ]
    pairs = similarity.detect(docs)
    assert [(p.first, p.second) for p in pairs] == [(1, 2)]
    assert pairs[0].words == pytest.approx(1.0)


def test_activities_of_the_same_partner_are_not_compared():
    docs = [Doc(1, 7, "Food parcels for families"), Doc(2, 7, "Food parcels for families")]
    assert similarity.detect(docs) == []


def test_structure_counts_shared_outcomes_and_overlapping_dates():
    a = Doc(1, 1, "x", frozenset({1, 2}), datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    b = Doc(2, 2, "y", frozenset({2}), datetime.date(2026, 1, 16), datetime.date(2026, 3, 1))
    assert similarity.jaccard(a.outcomes, b.outcomes) == 0.5
    assert similarity.date_overlap(a, b) == pytest.approx(16 / 31)
    c = Doc(3, 3, "z", start=datetime.date(2027, 1, 1), end=datetime.date(2027, 2, 1))
    assert similarity.date_overlap(a, c) == 0.0
    assert similarity.date_overlap(a, Doc(4, 4, "no dates")) == 0.5


def test_fingerprint_changes_when_either_text_is_rewritten():
    base = similarity.fingerprint("Food parcels", "Parcels of food")
    assert base == similarity.fingerprint("Food  parcels!", "parcels of food")
    assert base != similarity.fingerprint("Food parcels and hot meals", "Parcels of food")


def test_progress_is_reported():
    docs = [Doc(i, i, f"shared words here number {i % 3}") for i in range(120)]
    calls = []
    similarity.detect(docs, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


def _pair(world):
    a = activity(world, "Food parcels for families", description="Weekly, north district")
    b = activity(
        world,
        "Weekly food parcels for families",
        partner=world.other_partner,
        description="North district, by volunteers",
    )
    return a, b


def test_coordinate_records_a_note_and_raises_the_hook(world):
    a, b = _pair(world)
    heard = []
    listener = lambda **kw: heard.append(kw)  # noqa: E731
    hooks.listen(hooks.COORDINATION_REQUESTED, listener)
    try:
        decision = services.overlap_decide(
            actor=world.users["backbone"],
            first=b,
            second=a,
            decision="coordinate",
            note="One delivery round",
        )
    finally:
        hooks._listeners[hooks.COORDINATION_REQUESTED].remove(listener)
    assert (decision.first_id, decision.second_id) == (a.pk, b.pk)  # stored in id order
    assert heard and heard[0]["first"] == a and heard[0]["note"] == "One delivery round"


def test_coordinate_needs_a_note_and_nothing_is_saved(world):
    a, b = _pair(world)
    with pytest.raises(ApplicationError) as exc:
        services.overlap_decide(
            actor=world.users["backbone"], first=a, second=b, decision="coordinate"
        )
    assert "note" in exc.value.errors
    assert not OverlapDecision.objects.exists()


def test_not_an_overlap_hides_the_pair_until_a_rewrite(world, client):
    a, b = _pair(world)
    client.force_login(world.users["backbone"])
    url = f"/i/{world.initiative.slug}/activities/overlaps/"
    assert b.title in client.get(url).content.decode()
    services.overlap_decide(
        actor=world.users["backbone"], first=a, second=b, decision="not_overlap"
    )
    page = client.get(url).content.decode()
    assert "marked “not an overlap”" in page and "Possible overlaps (0)" in page
    services.activity_update(
        actor=world.users["backbone"],
        activity=b,
        description="North district, by volunteers, with hot meals too",
    )
    page = client.get(url).content.decode()
    assert "Possible overlaps (1)" in page and "Rewritten since" in page


def test_the_background_scan_records_progress_and_results(
    world, django_capture_on_commit_callbacks
):
    a, b = _pair(world)
    with django_capture_on_commit_callbacks(execute=True):
        scan = services.overlap_scan_start(
            actor=world.users["backbone"], initiative=world.initiative, threshold=0.3
        )
    scan.refresh_from_db()  # the task ran in process on commit (test settings)
    assert scan.state == "done"
    assert scan.processed == scan.total >= 1
    assert [(r["first"], r["second"]) for r in scan.results] == [(a.pk, b.pk)]


def test_a_threshold_outside_the_range_is_refused():
    with pytest.raises(ApplicationError):
        services.check_threshold("2")
    with pytest.raises(ApplicationError):
        services.check_threshold("abc")
    assert services.check_threshold("0.5") == 0.5
