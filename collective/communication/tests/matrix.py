"""Authorization cases of the communication URLs (see tests/matrix.py)."""

from tests.matrix import MEMBERS, Case

CASES = [
    Case("communication:index", MEMBERS),
]
