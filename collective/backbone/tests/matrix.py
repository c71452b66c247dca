"""Authorization cases of the backbone URLs (see tests/matrix.py)."""

from tests.matrix import MEMBERS, Case

CASES = [
    Case("backbone:index", MEMBERS),
]
