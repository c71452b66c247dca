"""Markdown for user-written text: rendered with `markdown`, then sanitised with `nh3`."""

from __future__ import annotations

import markdown as _markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def render_markdown(text: str | None) -> SafeString:
    """HTML for Markdown `text`, safe to put in a page: scripts, styles and handlers are gone."""
    if not text:
        return mark_safe("")
    html = _markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return sanitise_html(html)


def sanitise_html(
    html: str, *, extra_tags: set[str] = frozenset(), extra_attributes: dict | None = None
) -> SafeString:
    """`html` with only the tags and attributes user text may have (plus the given extras)."""
    attributes = {**ALLOWED_ATTRIBUTES, **(extra_attributes or {})}
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS | set(extra_tags),
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
