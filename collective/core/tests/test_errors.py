"""The kinds of refusal and their HTTP status, in one place."""

from __future__ import annotations

import pytest

from collective.core.errors import CONFLICT, FORBIDDEN, NOT_FOUND, ApplicationError


@pytest.mark.parametrize(
    ("kwargs", "kind", "status"),
    [
        ({}, "invalid", 400),
        ({"code": "stale"}, "invalid", 400),
        ({"code": "stale", "kind": CONFLICT}, CONFLICT, 409),
        ({"code": "conflict"}, CONFLICT, 409),
        ({"code": "forbidden"}, FORBIDDEN, 403),
        ({"code": "not_lead", "kind": FORBIDDEN}, FORBIDDEN, 403),
        ({"code": "no_draft", "kind": NOT_FOUND}, NOT_FOUND, 404),
    ],
)
def test_the_kind_decides_the_status(kwargs, kind, status):
    error = ApplicationError("No.", **kwargs)
    assert (error.kind, error.status) == (kind, status)
    assert error.code == kwargs.get("code", "invalid")


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown kind"):
        ApplicationError("No.", kind="teapot")
