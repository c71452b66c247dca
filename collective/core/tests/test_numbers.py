"""One number formatter for pages, charts, sentences and messages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from collective.core.numbers import format_number, format_plain, format_value


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (Decimal("1234.5"), {"unit": "days"}, "1,234.5 days"),
        (Decimal("75"), {"unit": "%"}, "75%"),
        (Decimal("9.99"), {"unit": "€", "decimals": 2}, "€9.99"),
        (1200, {"value_type": "currency", "unit": "CHF"}, "1,200 CHF"),
        (12.345, {"value_type": "percent"}, "12.3%"),
        (Decimal("-0.04"), {}, "0.0"),
        (Decimal("-5"), {}, "-5"),
        (None, {}, "—"),
        ("", {}, "—"),
        ("abc", {}, "—"),
    ],
)
def test_format_value(value, kwargs, expected):
    assert format_value(value, **kwargs) == expected


def test_format_number_and_plain():
    assert format_number(1234567.891, 1) == "1,234,567.9"
    assert format_number(Decimal("-0.04"), 1) == "0.0"
    assert format_plain(Decimal("7.000000")) == "7"
    assert format_plain(Decimal("1234.50")) == "1,234.5"
    assert format_plain(None) == "—"


def test_template_filters_use_the_same_formatter():
    html = Template(
        "{% load collective %}{{ a|number }} {{ b|number:1 }} {{ c|percent }} {{ d|plain }}"
        " {{ e|number }}"
    ).render(Context({"a": 1234567, "b": Decimal("-0.04"), "c": 12.345, "d": "7.50", "e": "n/a"}))
    assert html == "1,234,567 0.0 12.3% 7.5 n/a"
