"""What continuous communication answers without an account (see collective/core/public.py):
three secret links, each given to someone by the initiative. Everything else — meetings,
decisions, updates, discussions, surveys — is for members."""

from collective.core.public import PARTNERS, PEOPLE, Public

PUBLIC = [
    Public(
        "communication:feedback-public",
        "The anonymous feedback form behind the initiative's feedback link (when the backbone "
        "turned it on): the initiative's name and the form, nothing else.",
        methods=("get", "post"),
        page=True,
        link_kwarg="token",
    ),
    Public(
        "communication:unsubscribe",
        "One-click unsubscribe (RFC 8058) from the link in an email: the initiative's name and "
        "one button. The link names one member of the initiative.",
        methods=("get", "post"),
        page=True,
        link_kwarg="token",
    ),
    Public(
        "communication:feed-ics",
        "A member's calendar feed behind its revocable token (calendar apps cannot sign in): "
        "the touchpoints, due dates and reviews that member sees, with who facilitates and "
        "which partners they concern.",
        shows=frozenset({PARTNERS, PEOPLE}),
        document=True,
        link_kwarg="token",
    ),
]
