"""Template helpers of the agenda: Markdown, word diffs and endorsement stances."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from collective.core.markdown import render_markdown, sanitise_html

from ..choices import OutcomeKind
from ..diff import html_word_diff, word_diff

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


_CLOSE = '<span class="visually-hidden">]</span>'
_MARKS = {
    "delete": ('<del><span class="visually-hidden">[removed: </span>', _CLOSE + "</del>"),
    "insert": ('<ins><span class="visually-hidden">[added: </span>', _CLOSE + "</ins>"),
}


@register.simple_tag
def diff_markdown(old: str, new: str) -> SafeString:
    """Word diff of two Markdown texts as people read them: both are rendered (and sanitised),
    the words compared, and the result shown with the new text's formatting."""
    parts = html_word_diff(render_markdown(old or ""), render_markdown(new or ""))
    html = []
    for part in parts:
        # The parts come from sanitised HTML: tags and text are already safe and escaped.
        if part.op in ("equal", "tag") or (part.op == "insert" and not part.text.strip()):
            html.append(part.text)
        elif part.text.strip():
            start, end = _MARKS[part.op]
            html.append(start + part.text + end)
    # Sanitised once more, as a whole: the marks are the only tags added.
    return sanitise_html(
        '<div class="word-diff md-diff">' + "".join(html) + "</div>",
        extra_tags={"div", "span"},
        extra_attributes={"div": {"class"}, "span": {"class"}},
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
