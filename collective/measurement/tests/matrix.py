"""Authorization cases of the measurement URLs (see tests/matrix.py)."""

from tests.matrix import MEMBERS, Case

CASES = [
    Case("measurement:index", MEMBERS),
]
