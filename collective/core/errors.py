"""The one error type services raise; views and the API turn it into one response shape."""

# The HTTP status each refusal maps to, in one place: a refusal is "invalid" (400) unless the
# service says the person may not do it (403), the thing is gone (404) or it changed meanwhile /
# clashes with what exists (409).
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
CONFLICT = "conflict"
STATUS_BY_CODE = {FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409}


class ApplicationError(Exception):
    """A user-facing refusal: `message` for the page, `errors` per field (or row) when known."""

    def __init__(self, message: str, *, errors: dict | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.code = code

    @property
    def status(self) -> int:
        return STATUS_BY_CODE.get(self.code, 400)

    def __str__(self) -> str:
        return self.message
