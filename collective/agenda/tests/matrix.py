"""Authorization cases of the agenda URLs (see tests/matrix.py)."""

from tests.matrix import MEMBERS, Case

CASES = [
    Case("agenda:index", MEMBERS),
]
