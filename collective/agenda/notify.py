"""Messages the agenda sends to people. Email for now, through the background task; the
notification system of the communication capability can replace these functions without the
services changing."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from collective.core.tasks import send_email

_muted = False


@contextmanager
def muted():
    """Write without telling anyone (the demo loader): nothing is scheduled meanwhile."""
    global _muted  # one process-wide switch, used by the demo loader only
    previous, _muted = _muted, True
    try:
        yield
    finally:
        _muted = previous


def schedule(message, *args) -> None:
    """Send `message(*args)` once the current transaction commits (unless muted)."""
    if not _muted:
        transaction.on_commit(lambda: message(*args))


def _url(name: str, version, **extra) -> str:
    kwargs = {"slug": version.initiative.slug, "number": version.number, **extra}
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _send(subject: str, body: str, to: list[str]) -> None:
    to = [address for address in to if address]
    if to:
        send_email.enqueue(subject=subject, body=body, to=to)


def amendment_decided(item) -> None:
    author = item.author
    if author is None or not author.email:
        return
    version = item.version
    verdict = "accepted" if item.status == "accepted" else "declined"
    body = (
        f"Hello {author.name},\n\n"
        f"Your amendment to the {item.get_section_display().lower()} of "
        f"{version.initiative.name}'s agenda (version {version.number}) was {verdict}.\n\n"
        f"The reason given: {item.decision_reason}\n\n"
        + ("The draft now uses your text.\n\n" if verdict == "accepted" else "")
        + f"See the consultation: {_url('agenda:consultation', version)}\n"
    )
    _send(f"Your amendment was {verdict} — {version.initiative.name}", body, [author.email])


def reply_posted(item) -> None:
    parent = item.parent
    if parent.author is None or not parent.author.email:
        return
    version = item.version
    who = item.author.name if item.author else "Someone"
    body = (
        f"{who} replied to your {parent.get_kind_display().lower()} on the agenda of "
        f"{version.initiative.name}:\n\n{item.body}\n\n"
        f"Read the thread: {_url('agenda:consultation', version)}#item-{parent.uid}\n"
    )
    _send(f"New reply — {version.initiative.name} agenda", body, [parent.author.email])


def consultation_opened(version, members) -> None:
    body = (
        f"The draft agenda of {version.initiative.name} (version {version.number}) is open for "
        "consultation. Comment on any part, propose better wording, raise a concern or say "
        "what you support — every partner and every level should be heard.\n\n"
        f"Have your say: {_url('agenda:consultation', version)}\n"
    )
    to = [m.user.email for m in members if m.role != "viewer"]
    for address in to:
        _send(f"Have your say on the agenda — {version.initiative.name}", body, [address])


def version_adopted(version, leads) -> None:
    for membership in leads:
        body = (
            f"Hello {membership.user.name},\n\n"
            f"Version {version.number} of the agenda of {version.initiative.name} was adopted. "
            f"As lead of {membership.partner.name}, please endorse it or record your "
            f"reservations:\n{_url('agenda:endorse', version)}\n"
        )
        _send(f"Please endorse agenda v{version.number}", body, [membership.user.email])


def voices_nudged(version, members, actor) -> None:
    for membership in members:
        body = (
            f"Hello {membership.user.name},\n\n"
            f"{actor.name} would like to hear from you on the draft agenda of "
            f"{version.initiative.name}. Your view — from where you stand — matters to a "
            "shared agenda everyone owns. A comment or a word of support takes a minute.\n\n"
            f"Have your say: {_url('agenda:consultation', version)}\n"
        )
        _send(
            f"Your voice on the agenda — {version.initiative.name}", body, [membership.user.email]
        )
