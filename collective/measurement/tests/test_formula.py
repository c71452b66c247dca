"""The safe formula language: parsing, evaluation, errors, cycles — and no eval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collective.measurement import formula
from collective.measurement.formula import FormulaError


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("A + B * 2", {"A": 1, "B": 3}, Decimal(7)),
        ("(A + B) * 2", {"A": 1, "B": 3}, Decimal(8)),
        ("(ENROLLED / ELIGIBLE) * 100", {"ENROLLED": 30, "ELIGIBLE": 40}, Decimal(75)),
        ("-A - -B", {"A": 2, "B": 5}, Decimal(3)),
        ("A / B / 2", {"A": 8, "B": 2}, Decimal(2)),
        ("2 - 3 - 4", {}, Decimal(-5)),
        ("x.y_1 * .5", {"X.Y_1": 4}, Decimal(2)),
    ],
)
def test_evaluation(text, values, expected):
    assert formula.parse(text).evaluate(values) == expected


def test_missing_inputs_and_division_by_zero_give_no_value():
    f = formula.parse("A / B")
    assert f.evaluate({"A": 1, "B": 0}) is None
    assert f.evaluate({"A": 1}) is None
    assert f.evaluate({"A": 1, "B": None}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("A +", "ends too early"),
        ("(A + B", "not closed"),
        ("A B", "Unexpected 'B'"),
        ("__import__('os')", "'_' at position 1"),
        ("A ** 2", "Unexpected '\\*'"),
        ("A; B", "';' at position 2"),
        ("(" * 60 + "A" + ")" * 60, "nested too deeply"),
    ],
)
def test_syntax_errors(text, message):
    with pytest.raises(FormulaError, match=message):
        formula.parse(text)


def test_unknown_codes_and_cycles_are_refused():
    with pytest.raises(FormulaError, match="Unknown indicator code"):
        formula.check("A + Z", own_code="C", formulas={"A": ""}, known={"A"})
    with pytest.raises(FormulaError, match="itself"):
        formula.check("C + 1", own_code="C", formulas={}, known={"C"})
    with pytest.raises(FormulaError, match="cycle: C → A → B → C"):
        formula.check(
            "A * 2", own_code="C", formulas={"A": "B + 1", "B": "C"}, known={"A", "B", "C"}
        )
    assert formula.check("A + B", own_code="C", formulas={"A": "", "B": "A"}, known={"A", "B"})


def test_evaluation_order_puts_inputs_first():
    order = formula.evaluation_order({"C": "B * 2", "B": "A + 1", "D": "C + B", "A": ""})
    assert order.index("B") < order.index("C") < order.index("D")


def test_eval_is_never_used(monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval must not be used")

    monkeypatch.setattr(builtins, "eval", forbidden)
    assert formula.parse("(A + 1) * 3").evaluate({"A": 1}) == 6


numbers = st.integers(min_value=-1000, max_value=1000)


@given(numbers, numbers, numbers)
def test_arithmetic_matches_python(a, b, c):
    values = {"A": Decimal(a), "B": Decimal(b), "C": Decimal(c)}
    assert formula.parse("A + B * C").evaluate(values) == a + b * c
    assert formula.parse("(A - B) * -C").evaluate(values) == (a - b) * -c
    result = formula.parse("A / (B - C)").evaluate(values)
    if b == c:
        assert result is None
    else:
        assert result == Decimal(a) / (Decimal(b) - Decimal(c))
