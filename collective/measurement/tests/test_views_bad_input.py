"""Bad input in addresses and forms gets a clear answer, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("index", {"status": "bogus", "partner": "nope", "outcome": "999", "page": "zz"}, 200),
        ("index", {"sort": "x", "group": "y", "level": "z"}, 200),
        ("grid", {"partner": "not-a-uid"}, 404),
        ("grid", {"period": "garbage"}, 200),
        ("completeness", {"partner": "bad", "periods": "x", "indicator": "?"}, 200),
        ("my-reporting", {"partner": "bad"}, 404),
        ("export", {"partner": "bad"}, 400),
        ("export", {"indicator": "NOPE"}, 200),
    ],
)
def test_bad_query_strings(name, query, expected, world, client_as):
    make_measures(world)
    response = client_as("backbone").get(
        reverse(f"measurement:{name}", kwargs={"slug": world.initiative.slug}), query
    )
    assert response.status_code == expected


def test_bad_posts(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    check = reverse("measurement:grid-check", kwargs={"slug": "acme"})
    assert client.post(check, {"partner": "bad"}).status_code == 404
    assert (
        client.post(check, {"partner": str(world.partner.uid), "indicator": "NOPE"}).status_code
        == 404
    )
    future = client.post(
        reverse("measurement:grid", kwargs={"slug": "acme"}),
        {"partner": str(world.partner.uid), "period": "2099-01", "value-1-0": "3"},
    )
    assert future.status_code in (200, 400)
    scorecard = reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.partner.uid})
    assert client.get(scorecard, {"partner": "bad"}).status_code == 404
    story = reverse(
        "measurement:narrative-edit", kwargs={"slug": "acme", "code": "DAYS", "period": "2026-Q1"}
    )
    assert client.get(story).status_code == 404
    unknown = reverse("measurement:indicator-detail", kwargs={"slug": "acme", "code": "NOPE"})
    assert client.get(unknown).status_code == 404
    target = reverse("measurement:target-list", kwargs={"slug": "acme", "code": "DAYS"})
    response = client.post(target, {"period": "", "value": "lots"})
    assert response.status_code == 200 and "Enter a number." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        (
            "latin1.csv",
            "indicator,partner,period,value\nDAYS,Opérations,2026-07,3\n".encode("latin-1"),
        ),
    ],
)
def test_unreadable_files_are_explained(name, content, world, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_measures(world)
    client = client_as("backbone")
    response = client.post(
        reverse("measurement:import", kwargs={"slug": "acme"}),
        {"file": SimpleUploadedFile(name, content), "layout": "auto"},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        page = client.get(response["Location"])
        assert page.status_code == 200
