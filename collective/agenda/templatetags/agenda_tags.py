"""Template helpers of the agenda: Markdown, word diffs and endorsement stances."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from collective.core.markdown import render_markdown

from ..choices import OutcomeKind
from ..diff import word_diff

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text)


@register.simple_tag
def diff_words(old: str, new: str) -> SafeString:
    """Word diff as <del>/<ins>, each announced to screen readers as removed/added text."""
    parts = word_diff(old or "", new or "")
    rendered = []
    for part in parts:
        if part.op == "equal":
            rendered.append(("{}", part.text))
        elif part.op == "delete":
            rendered.append(
                (
                    '<del><span class="visually-hidden">[removed: </span>{}'
                    '<span class="visually-hidden">]</span></del>',
                    part.text,
                )
            )
        else:
            rendered.append(
                (
                    '<ins><span class="visually-hidden">[added: </span>{}'
                    '<span class="visually-hidden">]</span></ins>',
                    part.text,
                )
            )
    return format_html(
        '<span class="word-diff">{}</span>',
        format_html_join("", "{}", ((format_html(fmt, text),) for fmt, text in rendered)),
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("agenda/_status.html")
def version_status(version):
    return {"version": version}


@register.inclusion_tag("agenda/_stance.html")
def stance(endorsement, closed=False):
    """Where a partner stands; `closed` for a version that can no longer be endorsed."""
    return {"e": endorsement, "closed": closed}


@register.filter
def kind_label(kind: str) -> str:
    """ "sub_outcome" -> "Sub-outcome" (the tree level's label)."""
    return OutcomeKind(kind).label if kind in OutcomeKind.values else kind
