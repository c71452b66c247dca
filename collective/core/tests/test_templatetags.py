"""Shared template helpers: numbers for people, relative due dates, status, Markdown."""

import datetime

from django.template import Context, Template

from collective.core.templatetags.collective import due_words, number, percent, status_badge


def test_numbers_are_formatted_for_people():
    assert number(1234567.891, 1) == "1,234,567.9"
    assert number(None) == "—"
    assert percent(12.345) == "12.3%"


def test_due_words():
    today = datetime.date(2026, 11, 28)
    assert due_words(datetime.date(2026, 11, 25), today) == "3 days late"
    assert due_words(datetime.date(2026, 11, 27), today) == "1 day late"
    assert due_words(today, today) == "due today"
    assert due_words(datetime.date(2026, 12, 1), today) == "due in 3 days"


def test_status_is_never_colour_alone():
    html = status_badge("off_track")
    assert (
        "Off track" in html and "bi-arrow-down-circle-fill" in html and "status-off-track" in html
    )
    assert "No data" in status_badge("")


def test_markdown_is_sanitised():
    out = Template("{% load collective %}{{ text|markdown }}").render(
        Context({"text": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"})
    )
    assert "<strong>bold</strong>" in out
    assert "<script>" not in out and "javascript:" not in out
