"""The authorization matrix: every URL of the project for every role, allowed or refused.

Each app declares its cases in `collective/<app>/tests/matrix.py` as `CASES = [Case(...)]`.
`tests/test_authorization_matrix.py` collects them and fails when a URL has no case.

Expectations when a role is *not* allowed:
- anonymous: redirect to the login page (HTML) or 401/403 (API);
- outsider (member of another initiative only): 404 — a private initiative stays unknown;
- a member whose role is too low: 403.
When a role *is* allowed the response is neither of those (2xx, a redirect that is not to the
login page, or 400 for API input the case leaves invalid on purpose).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"
VIEWER = "viewer"
CONTRIBUTOR = "contributor"
LEAD = "lead"
BACKBONE = "backbone"

EVERYONE = frozenset({ANONYMOUS, OUTSIDER, VIEWER, CONTRIBUTOR, LEAD, BACKBONE})
SIGNED_IN = EVERYONE - {ANONYMOUS}
MEMBERS = frozenset({VIEWER, CONTRIBUTOR, LEAD, BACKBONE})
CONTRIBUTORS = frozenset({CONTRIBUTOR, LEAD, BACKBONE})
LEADS = frozenset({LEAD, BACKBONE})
BACKBONE_ONLY = frozenset({BACKBONE})


@dataclass
class Case:
    name: str  # "namespace:url-name"
    allowed: frozenset
    kwargs: Callable = field(default=lambda w: {"slug": w.initiative.slug})
    method: str = "get"
    data: Callable | None = None
    api: bool = False
    format: str | None = None  # "json" for API bodies
    # What a refused outsider sees: 404 for private initiatives' objects, 403 where the page
    # itself is not initiative-scoped.
    outsider_status: int = 404
    # What a refused member sees: 403, or 404 for objects that are only their owner's business
    # (another person's API token).
    member_status: int = 403
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.method}]{'-' + self.note if self.note else ''}"
