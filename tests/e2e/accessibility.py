"""Checks of a page in Chromium: axe-core's serious and critical findings, and sideways scrolling.

axe-core is vendored for the tests only (frontend/vendor.mjs copies it to tests/e2e/vendor/).
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def load_axe(context) -> None:
    """Give every page of a browser context axe-core (cheaper than injecting it page by page)."""
    context.add_init_script(path=str(AXE))


def axe_findings(page) -> list[str]:
    """One line per serious or critical axe violation on the page, with where it occurs."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "),
                    summary: (n.failureSummary || "").split("\\n").slice(1, 2).join(" ").trim(),
                })),
            }));
        }"""
    )
    lines = []
    for violation in result:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"][:5]:
            lines.append(
                f"{violation['impact']} {violation['id']} ({violation['help']}): "
                f"{node['target']} — {node['summary']}"
            )
        if len(violation["nodes"]) > 5:
            lines.append(f"  … and {len(violation['nodes']) - 5} more {violation['id']}")
    return lines


def overflow(page, width: int) -> list[str]:
    """What makes the page wider than `width` (empty when nothing scrolls sideways)."""
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width <= width:
        return []
    culprits = page.evaluate(
        """(width) => {
            // The element that holds `el` in place: a positioned ancestor for absolute
            // elements (which escape a scrolling parent that is not positioned), else the parent.
            const holder = (el) => {
                const pos = getComputedStyle(el).position;
                if (pos === "fixed") return null;
                let p = el.parentElement;
                if (pos === "absolute") {
                    while (p && getComputedStyle(p).position === "static") p = p.parentElement;
                }
                return p;
            };
            const clipped = (el) => {
                for (let p = holder(el); p && p !== document.body; p = holder(p)) {
                    if (getComputedStyle(p).overflowX !== "visible") return true;
                }
                return false;
            };
            const out = [];
            for (const el of document.querySelectorAll("body *")) {
                const box = el.getBoundingClientRect();
                if (box.right <= width + 1 || box.width === 0 || clipped(el)) continue;
                const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                    + [...el.classList].slice(0, 3).map(c => "." + c).join("");
                out.push(`${name} (right edge ${Math.round(box.right)} px)`);
                if (out.length >= 6) break;
            }
            return out;
        }""",
        width,
    )
    return [f"page is {scroll_width} px wide: " + ", ".join(culprits)]


def sideways_scrollers(page) -> list[str]:
    """Parts of the page that scroll sideways without being a deliberate scroll region.

    On a phone a wide table inside a scroller keeps the page narrow but hides its right-hand
    columns (often the status or the input); such tables stack instead (`.table-stack`). A table
    that is wide on purpose (periods across) may scroll inside a region the keyboard reaches and
    a screen reader names: tabindex="0", role="region" and aria-label or aria-labelledby.
    """
    return page.evaluate(
        """() => {
            const out = [];
            for (const el of document.querySelectorAll("main *")) {
                // A strip of links (tabs) may scroll: every link in it takes the focus.
                if (el.tagName === "NAV") continue;
                const ox = getComputedStyle(el).overflowX;
                if (ox !== "auto" && ox !== "scroll") continue;
                if (el.scrollWidth <= el.clientWidth + 1) continue;
                const named = el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby");
                if (el.getAttribute("tabindex") === "0" && el.getAttribute("role") === "region"
                    && named) continue;
                const name = el.tagName.toLowerCase()
                    + [...el.classList].slice(0, 3).map(c => "." + c).join("");
                out.push(`${name} scrolls sideways (${el.scrollWidth} px of content in `
                    + `${el.clientWidth} px): stack it (.table-stack) or make it a named, `
                    + `focusable region`);
            }
            return out;
        }"""
    )
