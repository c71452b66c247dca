"""A safe arithmetic language for computed indicators: + - * / ( ), numbers and indicator codes.

A small recursive-descent parser builds a tree of tuples; evaluation walks it with Decimals.
Nothing is ever passed to `eval`. An unknown code or a cycle is an error at definition time;
a missing input or a division by zero at evaluation time simply gives no value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Indicator codes: upper-case letters, digits, "_" and ".", starting with a letter (never "-",
# which is the minus of formulas; page URLs rely on codes never being lower-case words).
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_.]*$")
_TOKEN_RE = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|([A-Za-z][A-Za-z0-9_.]*)|(.))")
MAX_LENGTH = 500
MAX_DEPTH = 50


class FormulaError(ValueError):
    """The formula cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Formula:
    text: str
    tree: tuple
    codes: frozenset = field(default_factory=frozenset)

    def evaluate(self, values: dict[str, Decimal | None]) -> Decimal | None:
        """The value, or None when an input is missing or a division by zero happens."""
        try:
            return _eval(self.tree, values)
        except (ZeroDivisionError, InvalidOperation, _Missing):
            return None


class _Missing(Exception):
    pass


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        number, name, other = m.groups()
        start = m.start(m.lastindex)
        if number is not None:
            tokens.append(("num", number, start))
        elif name is not None:
            tokens.append(("code", name, start))
        elif other in "+-*/()":
            tokens.append(("op", other, start))
        else:
            raise FormulaError(
                f"'{other}' at position {start + 1} is not allowed: use numbers, indicator codes, "
                "+ - * / and parentheses."
            )
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def parse(self) -> tuple:
        if not self.tokens:
            raise FormulaError("The formula is empty.")
        tree = self.expression()
        token = self.peek()
        if token is not None:
            raise FormulaError(f"Unexpected '{token[1]}' at position {token[2] + 1}.")
        return tree

    def expression(self) -> tuple:
        left = self.term()
        while (token := self.peek()) and token[0] == "op" and token[1] in "+-":
            self.take()
            left = (token[1], left, self.term())
        return left

    def term(self) -> tuple:
        left = self.unary()
        while (token := self.peek()) and token[0] == "op" and token[1] in "*/":
            self.take()
            left = (token[1], left, self.unary())
        return left

    def unary(self) -> tuple:
        token = self.peek()
        if token and token[0] == "op" and token[1] in "+-":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError("The formula is nested too deeply.")
            operand = self.unary()
            self.depth -= 1
            return ("neg", operand) if token[1] == "-" else operand
        return self.primary()

    def primary(self) -> tuple:
        token = self.take()
        if token is None:
            raise FormulaError("The formula ends too early: a number or code is missing.")
        kind, text, pos = token
        if kind == "num":
            return ("num", Decimal(text))
        if kind == "code":
            return ("code", text.upper())
        if text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError("The formula is nested too deeply.")
            inner = self.expression()
            self.depth -= 1
            closing = self.take()
            if closing is None or closing[1] != ")":
                raise FormulaError(f"The parenthesis opened at position {pos + 1} is not closed.")
            return inner
        raise FormulaError(f"Unexpected '{text}' at position {pos + 1}.")


def _codes(tree: tuple) -> set[str]:
    kind = tree[0]
    if kind == "code":
        return {tree[1]}
    if kind == "num":
        return set()
    return set().union(*(_codes(child) for child in tree[1:]))


def _eval(tree: tuple, values: dict) -> Decimal:
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "code":
        value = values.get(tree[1])
        if value is None:
            raise _Missing
        return Decimal(value)
    if kind == "neg":
        return -_eval(tree[1], values)
    left, right = _eval(tree[1], values), _eval(tree[2], values)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    return left / right  # ZeroDivisionError → no value


def parse(text: str) -> Formula:
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is longer than {MAX_LENGTH} characters.")
    tree = _Parser(text).parse()
    return Formula(text=text, tree=tree, codes=frozenset(_codes(tree)))


def check(text: str, *, own_code: str, formulas: dict[str, str], known: set[str]) -> Formula:
    """Parse and check a formula against the initiative's indicators.

    `formulas` maps every other indicator code to its formula ('' when reported); `known` is the
    set of existing codes. Raises FormulaError for unknown codes and for cycles.
    """
    formula = parse(text)
    unknown = sorted(formula.codes - known - {own_code})
    if unknown:
        raise FormulaError(f"Unknown indicator code(s): {', '.join(unknown)}.")
    if own_code in formula.codes:
        raise FormulaError(f"The formula of {own_code} cannot use {own_code} itself.")
    graph = {code: parse(f).codes if f else frozenset() for code, f in formulas.items() if f}
    graph[own_code] = formula.codes
    path = _find_cycle(graph, own_code)
    if path:
        raise FormulaError(f"The formulas form a cycle: {' → '.join(path)}.")
    return formula


def _find_cycle(graph: dict[str, frozenset], start: str) -> list[str] | None:
    stack = [(start, iter(sorted(graph.get(start, ()))))]
    on_path = [start]
    seen = set()
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.pop()
            seen.add(node)
            continue
        if child == start or child in on_path:
            return [*on_path, child]
        if child in seen:
            continue
        on_path.append(child)
        stack.append((child, iter(sorted(graph.get(child, ())))))
    return None


def evaluation_order(formulas: dict[str, str]) -> list[str]:
    """Formula indicators in an order where every input comes before the indicator using it."""
    graph = {code: parse(text).codes for code, text in formulas.items() if text}
    order: list[str] = []
    done: set[str] = set()

    def visit(code: str, trail: tuple = ()):
        if code in done or code not in graph:
            return
        if code in trail:
            raise FormulaError(f"The formulas form a cycle: {' → '.join([*trail, code])}.")
        for dep in sorted(graph[code]):
            visit(dep, (*trail, code))
        done.add(code)
        order.append(code)

    for code in sorted(graph):
        visit(code)
    return order
