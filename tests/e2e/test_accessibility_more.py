"""The second shard of the accessibility and phone-width checks (see test_accessibility.py)."""

from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import check_app, shard


@pytest.mark.parametrize("app", shard(1))
def test_main_pages_are_accessible_at_desktop_and_phone_width(app, demo, new_page):
    check_app(app, new_page)
