"""Authorization cases of the shared-measurement API (see tests/matrix.py)."""

CASES = []
