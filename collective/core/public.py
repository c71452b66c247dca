"""The public surface: every page and API endpoint anyone may use without an account, and what
each may return.

This is the one list. The core declares its own entries below; each condition app declares
its entries in `<app>/public.py` as `PUBLIC = [Public(...)]`, read through the registry, so the
core never names a condition. `surface()` returns them all.

`tests/test_public_surface.py` requests every URL pattern of the project as an anonymous visitor
on a *public* initiative full of partner data (each URL with the data of its authorization
matrix case):
- a URL + method listed here must answer, and its answer may hold only what the entry allows:
  for JSON, only the listed field paths; for pages and JSON alike, no partner name or uid, no
  username or email unless the entry says it `shows` them (as the public page does);
- every other URL + method must refuse anonymous visitors (login redirect, 401 or 403).
Each entry's `probes` are extra query strings tried too (e.g. `by=partner`): the answer must be a
refusal or stay within the same fields.

An entry with a `link_kwarg` is reached through a link that carries a token; tests/
test_private_addresses.py checks that a wrong token on a private initiative answers exactly like
a missing initiative.

Field paths: `a.b` is key b inside a, `a[]` an item of list a, `*` any one key (dynamic keys
such as breakdown values). A paginated list is `PAGE` + the item's fields under `results[]`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .conditions import registry

# What a public answer may show besides its fields.
PARTNERS = "partners"  # partner names or uids (e.g. the lead partner of an adopted outcome)
PEOPLE = "people"  # display names of people (e.g. who adopted an agenda version)

PAGE = frozenset({"count", "next", "previous", "results", "results[]"})


@dataclass(frozen=True)
class Public:
    name: str  # the URL name, e.g. "api:indicator-series"
    why: str  # what it is for, and what it deliberately leaves out
    methods: tuple[str, ...] = ("get",)
    fields: frozenset[str] | None = None  # JSON answers: every field path allowed
    shows: frozenset[str] = frozenset()  # PARTNERS, PEOPLE
    probes: tuple[str, ...] = ()  # extra query strings to try
    page: bool = False  # an HTML page (else JSON, or a document such as the schema)
    document: bool = False  # a machine-readable document with no initiative data (schema)
    # The URL keyword that carries a secret link's token (feedback link, calendar feed,
    # unsubscribe). Whoever holds the token was given the address, so only an answer to a
    # wrong token must look like an initiative that does not exist.
    link_kwarg: str = ""


def fields(*paths: str, prefix: str = "") -> frozenset[str]:
    """Field paths, each under `prefix` (e.g. "results[]") when given."""
    return frozenset(f"{prefix}.{p}" if prefix else p for p in paths)


def paginated(*paths: str) -> frozenset[str]:
    return PAGE | fields(*paths, prefix="results[]")


INITIATIVE_FIELDS = (
    "uid",
    "slug",
    "name",
    "purpose",
    "visibility",
    "stage",
    "review_observations",
    "my_role",
    "created_at",
)

CORE = [
    Public("core:home", "Lists public initiatives (name and purpose).", page=True),
    Public(
        "core:initiative-overview",
        "A public initiative's name, purpose, stage and how many partners and members it has "
        "— not who they are.",
        page=True,
    ),
    Public(
        "core:invitation-accept",
        "For the holder of a valid invitation link: who invites them, to which initiative and "
        "partner, and the sign-up form.",
        shows=frozenset({PARTNERS, PEOPLE}),
        page=True,
    ),
    Public("login", "The sign-in page.", methods=("get", "post"), page=True),
    Public("logout", "Signing out.", methods=("post",), page=True),
    Public("password_reset", "Asks for an email address.", methods=("get", "post"), page=True),
    Public("password_reset_done", "Says an email is on its way.", page=True),
    Public("password_reset_confirm", "Sets a new password from an emailed link.", page=True),
    Public("password_reset_complete", "Says the password was set.", page=True),
    Public("admin:login", "The site administration's sign-in (staff only).", page=True),
    Public(
        "api:root",
        "Where to start in the API.",
        fields=fields("initiatives", "auth_token", "schema", "docs"),
    ),
    Public(
        "api:auth-token",
        "Exchanges a username and password for a token (errors name no account).",
        methods=("post",),
        fields=fields("token", "expiry", "message", "code", "errors", "errors.*", "errors.*[]"),
    ),
    Public("api:schema", "The OpenAPI description of the API.", document=True),
    Public("api:docs", "Swagger UI for the schema.", document=True),
    Public(
        "api:initiative-list",
        "Public initiatives (and, signed in, your own).",
        fields=paginated(*INITIATIVE_FIELDS),
    ),
    Public(
        "api:initiative-detail",
        "A public initiative's name, purpose, stage and visibility.",
        fields=fields(*INITIATIVE_FIELDS),
    ),
]


def surface() -> list[Public]:
    """Every public entry: the core's and each registered condition app's `public.PUBLIC`."""
    entries = list(CORE)
    for registered in registry():
        module = registered.module("public")
        entries += getattr(module, "PUBLIC", []) if module else []
    return entries


def entry_for(name: str, method: str) -> Public | None:
    for entry in surface():
        if entry.name == name and method.lower() in entry.methods:
            return entry
    return None


__all__ = ["PAGE", "PARTNERS", "PEOPLE", "Public", "entry_for", "fields", "paginated", "surface"]
