"""Charts render under the Content-Security-Policy in Chromium, with no violation reported."""

from __future__ import annotations

import re

from .conftest import login, shot

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def _watch(page):
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(RECORD_VIOLATIONS)
    return console


def _assert_charts_drawn_without_violations(page, console, name):
    page.wait_for_selector(".chart-box[data-chart-rendered='1'] .chart-canvas svg")
    assert page.locator(".chart-box[data-chart-rendered='1']").count() >= 1
    # The chart draws marks (lines, points), not just an empty frame.
    assert page.locator(".chart-canvas svg path, .chart-canvas svg .mark-symbol").count() > 0
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], violations
    refused = [line for line in console if "Content Security Policy" in line or "Refused" in line]
    assert refused == [], refused
    assert page.js_errors == []
    shot(page, name)


def test_member_indicator_page_charts_under_the_csp(demo, new_page):
    page = new_page()
    console = _watch(page)
    login(page, "backbone")
    response = page.goto("/i/faster-onboarding/measures/DAYS_TO_LIVE/")
    policy = response.headers["content-security-policy"]
    assert "unsafe-eval" not in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    _assert_charts_drawn_without_violations(page, console, "csp-indicator-member")
    # Switching the chart to one line per partner (htmx swap) renders under the CSP too.
    page.get_by_role("link", name=re.compile("Per partner")).first.click()
    page.wait_for_selector(
        ".chart-box[data-chart-spec='chart-spec-partner'][data-chart-rendered='1']"
    )
    assert page.evaluate("window.__cspViolations") == []


def test_public_indicator_page_charts_under_the_csp(demo, new_page):
    page = new_page()
    console = _watch(page)
    response = page.goto("/i/youth-housing/measures/public/YAC_SESSIONS/")
    assert response.status == 200
    assert "content-security-policy" in response.headers
    _assert_charts_drawn_without_violations(page, console, "csp-indicator-public")


def test_api_docs_work_under_the_csp(demo, new_page):
    page = new_page()
    console = _watch(page)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    assert page.evaluate("window.__cspViolations") == []
    assert [line for line in console if "Content Security Policy" in line] == []
