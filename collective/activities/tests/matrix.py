"""Authorization cases of the activities URLs (see tests/matrix.py)."""

from tests.matrix import MEMBERS, Case

CASES = [
    Case("activities:index", MEMBERS),
]
