"""Messages the agenda sends to people. Opening a consultation, adopting a version (and asking
the partner leads to endorse it) and closing a consultation are announced through the core's
ANNOUNCED hook, so the app that delivers messages (continuous communication: the bell, email by
each person's choice, digests) tells people; when no app listens they are emailed from here.
Replies, amendment decisions and nudges are emailed from here."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from collective.core import hooks
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


def _path(name: str, version, **extra) -> str:
    return reverse(
        name, kwargs={"slug": version.initiative.slug, "number": version.number, **extra}
    )


def _url(name: str, version, **extra) -> str:
    return settings.SITE_URL + _path(name, version, **extra)


def _announce(actor, version, announcement: hooks.Announcement, fallback=None, *args) -> None:
    """Raise the announcement (inside the service's transaction, so it is kept only if the change
    is); without an app that delivers announcements, email `fallback(*args)` after commit."""
    if _muted:
        return
    told = hooks.announce(announcement, actor=actor, initiative=version.initiative)
    if not told and fallback is not None:
        schedule(fallback, *args)


def announce_consultation_opened(actor, version, members) -> None:
    _announce(
        actor,
        version,
        hooks.Announcement(
            topic="agenda.consultation_opened",
            title=f"Have your say on the draft agenda (v{version.number})",
            body="The draft agenda is open for consultation. Comment on any part, propose better "
            "wording, raise a concern or say what you support.",
            url=_path("agenda:consultation", version),
            users=tuple(m.user for m in members if m.role != "viewer"),
            target=version,
        ),
        consultation_opened,
        version,
        members,
    )


def announce_consultation_closed(actor, version, people) -> None:
    _announce(
        actor,
        version,
        hooks.Announcement(
            topic="agenda.consultation_closed",
            title=f"The consultation on agenda v{version.number} is closed",
            body="Thank you for taking part. The summary of what was said is on the version.",
            url=version.get_absolute_url(),
            users=tuple(people),
            target=version,
        ),
    )


def announce_version_adopted(actor, version, members, leads) -> None:
    """Everyone hears that a version was adopted; each partner lead is asked to endorse it."""
    lead_ids = {m.user_id for m in leads}
    rationale = " ".join((version.rationale or "").split())[:500]
    _announce(
        actor,
        version,
        hooks.Announcement(
            topic="agenda.version_adopted",
            title=f"Agenda v{version.number} is adopted",
            body=rationale,
            url=version.get_absolute_url(),
            users=tuple(m.user for m in members if m.user_id not in lead_ids),
            target=version,
        ),
    )
    _announce(
        actor,
        version,
        hooks.Announcement(
            topic="agenda.endorsement_requested",
            title=f"Please endorse agenda v{version.number}",
            body="It was adopted. As your partner's lead, endorse it or record your reservations.",
            url=_path("agenda:endorse", version),
            users=tuple(m.user for m in leads),
            target=version,
        ),
        version_adopted,
        version,
        leads,
    )


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
