"""The one error type services raise; views and the API turn it into one response shape."""

# The kinds of refusal and the HTTP status each maps to, in one place: a refusal is "invalid"
# (400) unless the service says the person may not do it (403), the thing is not there (404)
# or the request clashes with the current state — a stale revision, something that already
# exists, a step already taken, a state that no longer allows it (409).
INVALID = "invalid"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
CONFLICT = "conflict"
STATUS_BY_KIND = {INVALID: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409}


class ApplicationError(Exception):
    """A user-facing refusal: `message` for the page, `errors` per field (or row) when known.

    `code` names the refusal for programs (the API's `"code"`, e.g. "stale", "duplicate");
    `kind` is its family, which decides the HTTP status. A code that is itself a kind
    ("forbidden", "not_found", "conflict") needs no kind; any other code is "invalid" unless
    the service says otherwise: `ApplicationError(..., code="stale", kind=CONFLICT)`.
    """

    def __init__(
        self,
        message: str,
        *,
        errors: dict | None = None,
        code: str = INVALID,
        kind: str | None = None,
    ):
        super().__init__(message)
        if kind is not None and kind not in STATUS_BY_KIND:
            raise ValueError(f"Unknown kind of refusal: {kind!r}.")
        self.message = message
        self.errors = errors or {}
        self.code = code
        self.kind = kind or (code if code in STATUS_BY_KIND else INVALID)

    @property
    def status(self) -> int:
        return STATUS_BY_KIND[self.kind]

    def __str__(self) -> str:
        return self.message
