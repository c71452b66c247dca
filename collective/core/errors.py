"""The one error type services raise; views and the API turn it into one response shape."""


class ApplicationError(Exception):
    """A user-facing refusal: `message` for the page, `errors` per field (or row) when known."""

    def __init__(self, message: str, *, errors: dict | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.code = code

    def __str__(self) -> str:
        return self.message
