"""A partner may also record that it does not endorse the adopted agenda, with a reason; every
page and the API say what was recorded, and the lead can change it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collective.agenda import selectors, services
from collective.agenda.choices import Stance
from collective.agenda.models import Endorsement
from collective.agenda.overview import agenda_summary
from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent

from .helpers import adopted_version

pytestmark = pytest.mark.django_db


def _record(world, version, stance, **texts):
    return services.endorsement_record(
        actor=world.users["lead"], version=version, partner=world.partner, stance=stance, **texts
    )


def test_not_endorsing_needs_a_reason(world):
    version = adopted_version(world)
    with pytest.raises(ApplicationError) as exc:
        _record(world, version, Stance.DECLINED, reason="  ")
    assert "reason" in exc.value.errors
    assert not Endorsement.objects.exists()

    e = _record(world, version, Stance.DECLINED, reason="The targets ignore our capacity.")
    assert (e.stance, e.reason, e.reservations) == (
        Stance.DECLINED,
        "The targets ignore our capacity.",
        "",
    )
    event = AuditEvent.objects.filter(target_type="endorsement").latest("pk")
    assert event.verb == "did not endorse"
    assert event.changes["stance"] == {"from": None, "to": "declined"}
    assert event.changes["reason"] == {"from": "", "to": "The targets ignore our capacity."}


def test_changing_the_stance_keeps_only_the_text_that_belongs_to_it(world):
    version = adopted_version(world)
    _record(world, version, Stance.DECLINED, reason="Too fast.", reservations="ignored")
    e = Endorsement.objects.get()
    assert e.reservations == ""  # reservations belong to "endorsed with reservations"
    e = _record(world, version, Stance.RESERVATIONS, reservations="Split the target.")
    assert (e.reason, e.reservations) == ("", "Split the target.")
    e = _record(world, version, Stance.ENDORSED, reason="x", reservations="y")
    assert (e.reason, e.reservations) == ("", "")


def test_a_partner_that_does_not_endorse_is_not_counted_as_endorsing(world):
    version = adopted_version(world)
    _record(world, version, Stance.DECLINED, reason="Too fast.")
    grid = selectors.endorsement_grid(world.initiative)
    assert (grid.endorsed, grid.declined, grid.partners) == (0, 1, 3)
    figures = dict(agenda_summary(world.initiative, world.users["backbone"]).figures)
    assert figures["partners endorsed"] == "0/3"


def test_endorse_page_records_does_not_endorse_with_a_reason(world, client_as):
    version = adopted_version(world)
    client = client_as("lead")
    url = reverse("agenda:endorse", kwargs={"slug": "acme", "number": version.number})
    page = client.get(url).content.decode()
    assert 'value="declined"' in page and "Does not endorse" in page

    response = client.post(url, {"stance": "declined", "reason": ""})
    assert response.status_code == 200
    assert "Required when not endorsing." in response.content.decode()
    assert not Endorsement.objects.exists()

    response = client.post(url, {"stance": "declined", "reason": "Hand-offs need staff first."})
    assert response.status_code == 302
    grid = client.get(reverse("agenda:endorsements", kwargs={"slug": "acme"})).content.decode()
    assert "Does not endorse" in grid
    assert "Hand-offs need staff first." in grid

    page = client.get(url).content.decode()
    assert re.search(r'value="declined"[^>]*checked', page)
    assert "Hand-offs need staff first." in page


@pytest.mark.parametrize(
    ("stance", "texts", "label"),
    [
        (None, {}, "Endorse v1 for Operations"),
        (Stance.ENDORSED, {}, "Endorsed"),
        (Stance.RESERVATIONS, {"reservations": "Split it."}, "Endorsed with reservations"),
        (Stance.DECLINED, {"reason": "Not yet."}, "Does not endorse"),
    ],
)
def test_the_endorse_button_says_what_was_recorded(world, client_as, stance, texts, label):
    version = adopted_version(world)
    if stance:
        _record(world, version, stance, **texts)
    client = client_as("lead")
    for name in ("agenda:index", "agenda:endorsements"):
        html = client.get(reverse(name, kwargs={"slug": "acme"})).content.decode()
        button = re.search(r'<a class="[^"]*endorse-button[^"]*"[^>]*>(.*?)</a>', html, re.S)
        assert button, f"no endorse button on {name}"
        text = re.sub(r"<[^>]+>", "", button.group(1))
        text = " ".join(text.split())
        assert text.startswith(label), (name, text)
        if stance:
            assert "change" in text.lower()


def test_the_api_records_does_not_endorse_with_a_reason(world, api_as):
    version = adopted_version(world)
    url = reverse("api:agenda-endorsement-list", kwargs={"slug": "acme", "number": version.number})
    api = api_as("lead")
    response = api.post(url, {"stance": "declined"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    response = api.post(url, {"stance": "declined", "reason": "Too fast."}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["stance"], body["reason"], body["reservations"]) == ("declined", "Too fast.", "")
    listing = api_as("viewer").get(url).json()["results"]
    assert [(e["stance"], e["reason"]) for e in listing] == [("declined", "Too fast.")]
