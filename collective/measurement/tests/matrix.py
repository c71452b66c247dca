"""Authorization cases of shared measurement: pages here, API cases in matrix_api.py."""

from tests.matrix import MEMBERS, Case

from .matrix_api import CASES as API_CASES

CASES = [
    Case("measurement:index", MEMBERS),
    *API_CASES,
]
