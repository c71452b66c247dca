"""The public sees what the public pages show, no more (collective/core/public.py).

Every URL pattern of the project (through the authorization matrix's cases, which cover them
all) is requested by an anonymous visitor on a *public* initiative that has partner data in every
condition: per-partner values, a breakdown, targets, an adopted agenda with lead partners,
endorsements and a consultation. A URL in the public surface must answer within its entry's
fields and show no partner, username or email it does not allow; any other URL must refuse.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from collective.core.public import PARTNERS, PEOPLE, entry_for, surface
from collective.measurement.tests.helpers import save_value
from tests.test_authorization_matrix import CASES, _is_login_redirect, _url_names

pytestmark = pytest.mark.django_db

PAST = "2025-03"
EARLIER = "2025-02"
DISTINCT = "Zebrafinch Trust"  # a partner name no page text contains by accident


@pytest.fixture
def public_world(world):
    """The world's initiative made public, with partner data everywhere."""
    from collective.agenda.tests.helpers import adopted_version
    from collective.core import services as core_services
    from collective.core.models import Initiative
    from collective.measurement import services
    from tests.factories import make_partner

    w = world
    backbone = w.users["backbone"]
    Initiative.objects.filter(pk=w.initiative.pk).update(visibility="public")
    w.initiative.refresh_from_db()
    # Names no page text contains by accident ("Sales" is in a help text).
    for partner, name in (
        (w.partner, "Quokka Operations"),
        (w.subpartner, "Quokka North Desk"),
        (w.other_partner, "Wombat Sales"),
    ):
        core_services.partner_update(actor=backbone, partner=partner, name=name)
    zebra = make_partner(w.initiative, DISTINCT, actor=backbone)
    core_services.partner_update(actor=backbone, partner=zebra, short_name="Zebra")
    people = services.indicator_create(
        actor=backbone,
        initiative=w.initiative,
        code="PEOPLE",
        name="People reached",
        definition="How many people the initiative reached.",
        is_public=True,
        owner_partner=zebra,
    )
    by_age = services.indicator_create(
        actor=backbone,
        initiative=w.initiative,
        code="BY_AGE",
        name="People by age",
        is_public=True,
        breakdown_dimension="Age",
        breakdown_values=["Under 18", "18 and over"],
    )
    secret = services.indicator_create(
        actor=backbone, initiative=w.initiative, code="INTERNAL", name="Internal cost"
    )
    for partner, value in ((w.partner, 7341), (w.subpartner, 218), (zebra, 4999)):
        for period in (EARLIER, PAST):
            save_value(
                actor=backbone, indicator=people, partner=partner, period=period, value=value
            )
            save_value(
                actor=backbone, indicator=secret, partner=partner, period=period, value=value
            )
        for breakdown in by_age.breakdown_values:
            save_value(
                actor=backbone,
                indicator=by_age,
                partner=partner,
                period=PAST,
                value=value,
                breakdown=breakdown,
            )
    services.target_set(actor=backbone, indicator=people, period="2026-12", value=20000)
    services.target_set(
        actor=backbone, indicator=people, period="2026-12", value=9000, partner=zebra
    )
    services.narrative_save(
        actor=backbone,
        indicator=people,
        period=PAST,
        story="More people came after the spring campaign.",
        partners=[zebra],
    )
    adopted_version(w)
    w.extra.update(zebra=zebra, people=people, by_age=by_age)
    return w


def _secrets(w) -> dict[str, set[str]]:
    from collective.core.models import Partner

    partners = Partner.objects.filter(initiative=w.initiative)
    users = list(w.users.values())
    return {
        PARTNERS: {p.name for p in partners}
        | {p.short_name for p in partners if p.short_name}
        | {str(p.uid) for p in partners},
        PEOPLE: {u.email for u in users} | {"Bea Backbone"},
        "usernames": {u.username for u in users},
    }


def _paths(data, prefix="") -> set[str]:
    """Every field path of a JSON value: `a.b`, `a[]`, `a[].b`."""
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found.add(path)
            found |= _paths(value, path)
    elif isinstance(data, list):
        for item in data:
            found.add(f"{prefix}[]")
            found |= _paths(item, f"{prefix}[]")
    return found


def _allowed(path: str, patterns) -> bool:
    if path in patterns:
        return True
    parts = re.split(r"\.", path)
    for pattern in patterns:
        if "*" not in pattern:
            continue
        wanted = pattern.split(".")
        if len(wanted) == len(parts) and all(
            w == "*" or w == p or (w == "*[]" and p.endswith("[]"))
            for w, p in zip(wanted, parts, strict=True)
        ):
            return True
    return False


def _string_values(data) -> set[str]:
    if isinstance(data, dict):
        return set().union(*(_string_values(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_string_values(v) for v in data)) if data else set()
    return {data} if isinstance(data, str) else set()


def _request(case, w, client, url):
    from rest_framework.test import APIClient

    data = case.data(w) if case.data else {}
    if case.api:
        return getattr(APIClient(), case.method)(url, data, format="json")
    return getattr(client, case.method)(url, data)


def _problems(entry, response, w) -> list[str]:
    """What the answer shows that the entry does not allow."""
    problems = []
    body = response.content.decode("utf-8", "replace")
    secrets = _secrets(w)
    for kind in (PARTNERS, PEOPLE):
        if kind in entry.shows:
            continue
        leaked = sorted(s for s in secrets[kind] if s and s in body)
        if leaked:
            problems.append(f"shows {kind}: {leaked}")
    if response.get("Content-Type", "").startswith("application/json") and not entry.document:
        data = json.loads(body)
        extra = sorted(p for p in _paths(data) if not _allowed(p, entry.fields or ()))
        if extra:
            problems.append(f"fields outside the public list: {extra}")
        usernames = secrets["usernames"] & _string_values(data)
        if usernames:
            problems.append(f"shows usernames: {sorted(usernames)}")
    return problems


def _refused(case, response) -> bool:
    if case.api:
        return response.status_code in (401, 403, 404, 405)
    return _is_login_redirect(response) or response.status_code in (403, 404, 405)


def test_every_public_entry_names_a_url():
    names = _url_names() | {"admin:login"}
    unknown = sorted({e.name for e in surface()} - names)
    assert not unknown, f"public entries for URLs that do not exist: {unknown}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_anonymous_visitor_of_a_public_initiative(case, public_world, client):
    w = public_world
    url = reverse(case.name, kwargs=case.kwargs(w))
    entry = entry_for(case.name, case.method)
    response = _request(case, w, client, url)
    assert response.status_code < 500, f"{case.id}: {response.status_code}"
    if entry is None:
        assert _refused(case, response), (
            f"{case.id} is not in the public surface (collective/core/public.py) but answered "
            f"an anonymous visitor with {response.status_code}"
        )
        return
    if response.status_code < 300:
        assert not _problems(entry, response, w), (case.id, _problems(entry, response, w))
    for probe in entry.probes:
        query = probe.format(partner=w.extra["zebra"].uid)
        probed = _request(case, w, client, f"{url}?{query}")
        assert probed.status_code < 500, f"{case.id}?{query}: {probed.status_code}"
        if probed.status_code < 300:
            problems = _problems(entry, probed, w)
            assert not problems, (f"{case.id}?{query}", problems)


def test_admin_is_refused_to_the_public(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert entry_for("admin:login", "get") is not None


# --- The public answers are not empty: the checks above compared real data ------------------


def _get(url, **query):
    from rest_framework.test import APIClient

    return APIClient().get(f"{url}?{urlencode(query)}" if query else url)


def test_public_series_gives_the_collective_and_the_breakdown_only(public_world):
    w = public_world
    url = reverse("api:indicator-series", kwargs={"slug": "acme", "code": "PEOPLE"})
    collective = _get(url)
    assert collective.status_code == 200
    values = {p["period"]: p["value"] for p in collective.json()["periods"]}
    assert values[PAST] == 7341 + 218 + 4999
    assert not _problems(entry_for("api:indicator-series", "get"), collective, w)
    for query in ({"by": "partner"}, {"scope": str(w.extra["zebra"].uid)}):
        refused = _get(url, **query)
        assert refused.status_code == 403, query
        assert refused.json()["message"] == "Figures per partner are for members of the initiative."
    breakdown = _get(
        reverse("api:indicator-series", kwargs={"slug": "acme", "code": "BY_AGE"}), by="breakdown"
    )
    assert breakdown.status_code == 200
    assert [c["name"] for c in breakdown.json()["columns"]] == ["Under 18", "18 and over"]
    assert not _problems(entry_for("api:indicator-series", "get"), breakdown, w)


def test_members_still_get_partner_series(public_world, api_as):
    url = reverse("api:indicator-series", kwargs={"slug": "acme", "code": "PEOPLE"})
    response = api_as("viewer").get(url, {"by": "partner"})
    assert response.status_code == 200
    assert DISTINCT in {c["name"] for c in response.json()["columns"]}


def test_public_indicators_hide_the_owner_partner(public_world, api_as):
    url = reverse("api:indicator-list", kwargs={"slug": "acme"})
    public = _get(url).json()["results"]
    assert {i["code"] for i in public} == {"PEOPLE", "BY_AGE"}
    assert all(i["owner_partner"] is None for i in public)
    member = api_as("viewer").get(url).json()["results"]
    assert {i["code"]: i["owner_partner"] for i in member}["PEOPLE"] == str(
        public_world.extra["zebra"].uid
    )


def test_public_pages_show_the_shared_result_without_partners(public_world, client):
    w = public_world
    page = client.get(
        reverse("measurement:indicator-public", kwargs={"slug": "acme", "code": "PEOPLE"})
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "People reached" in body and "12,558" in body
    assert not _problems(entry_for("measurement:indicator-public", "get"), page, w)
    agenda = client.get(reverse("agenda:index", kwargs={"slug": "acme"}))
    assert agenda.status_code == 200 and "Quokka Operations" in agenda.content.decode()


def test_public_agenda_api_leaves_out_usernames_and_the_consultation(public_world, api_as):
    url = reverse("api:agenda-version-list", kwargs={"slug": "acme"})
    public = _get(url).json()["results"]
    assert public and all(v["adopted_by"] is None for v in public)
    assert all(v["consultation_summary"] is None for v in public)
    assert api_as("viewer").get(url).json()["results"][0]["adopted_by"] == "bb"
