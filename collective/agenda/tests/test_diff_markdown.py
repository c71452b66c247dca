"""Amendments to the Markdown sections are shown as a word diff of the rendered text."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collective.agenda import services
from collective.agenda.choices import ItemKind, Section
from collective.agenda.diff import html_word_diff
from collective.agenda.templatetags.agenda_tags import diff_markdown
from collective.core.markdown import render_markdown

from .helpers import in_consultation

TAG = re.compile(r"<[^>]*>")
markdownish = st.lists(
    st.sampled_from(
        ["We", "share", "**data**", "_openly_", "-", "1.", "\n", "\n\n", " ", "&", "a"]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, markdownish)
def test_html_word_diff_gives_back_the_new_html_and_the_old_words(old, new):
    old_html, new_html = str(render_markdown(old)), str(render_markdown(new))
    parts = html_word_diff(old_html, new_html)
    assert "".join(p.text for p in parts if p.op != "delete") == new_html
    assert "".join(p.text for p in parts if p.op in ("equal", "delete")) == TAG.sub("", old_html)
    assert not any(p.op != "tag" and "<" in p.text for p in parts)


def test_the_diff_is_of_what_people_read_not_of_the_markdown():
    html = str(diff_markdown("We **share** data.\n\n- one\n- two", "We **publish** data.\n\n- one"))
    assert "**" not in html
    assert "<strong><del>" in html and "share" in html and "publish" in html
    assert "<li>one</li>" in html
    assert re.search(r"<del>.*two.*</del>", html, re.S)
    # Formatting only, same words: nothing is marked.
    assert "<del>" not in str(diff_markdown("We share data.", "We *share* data."))


def test_the_diff_stays_sanitised():
    html = str(diff_markdown("Hi", "Hi <img src=x onerror=alert(1)> [x](javascript:alert(1))"))
    assert "onerror" not in html and "javascript:" not in html and "<img" not in html


@pytest.mark.django_db
def test_consultation_shows_section_amendments_rendered(world, client_as):
    version = in_consultation(world)
    services.item_create(
        actor=world.users["contributor"],
        version=version,
        kind=ItemKind.AMENDMENT,
        section=Section.VISION,
        proposed_text="Every customer is live within **10 days**.",
        body="Ten days is what customers ask for.",
    )
    url = reverse("agenda:consultation", kwargs={"slug": "acme", "number": version.number})
    html = client_as("viewer").get(url).content.decode()
    diff = re.search(r'<div class="amendment-diff".*?</div></div>', html, re.S).group(0)
    assert "**" not in diff
    assert "<strong>" in diff and "10" in diff and "<ins>" in diff and "<del>" in diff
