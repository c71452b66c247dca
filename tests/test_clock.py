"""The frozen clock reaches every thread: the live server's answers carry the frozen date."""

from __future__ import annotations

import datetime
import urllib.request

import pytest
from django.utils import timezone


@pytest.mark.today("2028-02-29")
def test_the_live_server_sees_the_frozen_clock(live_server):
    assert timezone.localdate() == datetime.date(2028, 2, 29)
    with urllib.request.urlopen(f"{live_server.url}/accounts/login/") as response:  # noqa: S310
        assert response.status == 200
        assert "29 Feb 2028" in response.headers["Date"]


@pytest.mark.today("2026-12-31T23:59")
def test_the_clock_moves_on():
    """tick=True: time goes forward from the frozen moment (sessions and timeouts work)."""
    first = timezone.now()
    assert first.date() == datetime.date(2026, 12, 31)
    later = timezone.now()
    assert later > first
