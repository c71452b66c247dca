"""Writes of the core: each service validates, runs in one transaction and records an audit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django_tasks import task

from . import hooks, limits
from .audit import audit_record, diff, snapshot
from .choices import PartnerKind, Role, Stage, Visibility
from .errors import CONFLICT, ApplicationError
from .models import ApiToken, Initiative, Invitation, Membership, Partner
from .rules import forget_memberships

User = get_user_model()

RESERVED_SLUGS = {"new", "api", "admin", "static", "media", "accounts", "invitations"}


def _check_length(value, limit: int, field: str) -> None:
    if value and len(value) > limit:
        raise ApplicationError(
            f"The {field.replace('_', ' ')} is too long.",
            errors={field: [f"At most {limit:,} characters."]},
        )


def _check_choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise ApplicationError(
            f"'{value}' is not a valid {field}.",
            errors={field: [f"Choose one of: {', '.join(choices.values)}."]},
        )


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, errors=errors) from exc


# --- Initiatives ----------------------------------------------------------------------------


def initiative_create(
    *,
    actor,
    name: str,
    slug: str = "",
    purpose: str = "",
    visibility: str = Visibility.PRIVATE,
    stage: str = Stage.EARLY,
) -> Initiative:
    """Create an initiative; its creator becomes its first backbone member."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the initiative a name.", errors={"name": ["Required."]})
    slug = slugify(slug or name)[:60].strip("-")
    if not slug or slug in RESERVED_SLUGS:
        raise ApplicationError(
            "Choose another short name for the address.",
            errors={"slug": [f"'{slug}' cannot be used."]},
        )
    _check_choice(visibility, Visibility, "visibility")
    _check_choice(stage, Stage, "stage")
    _check_length(purpose, limits.SHORT, "purpose")
    if Initiative.objects.filter(slug=slug).exists():
        raise ApplicationError(
            f"The address /i/{slug}/ is taken.",
            errors={"slug": ["Already in use."]},
            code="exists",
            kind=CONFLICT,
        )
    initiative = Initiative(
        name=name, slug=slug, purpose=purpose, visibility=visibility, stage=stage
    )
    _full_clean(initiative)
    with transaction.atomic():
        initiative.save()
        Membership.objects.create(initiative=initiative, user=actor, role=Role.BACKBONE)
        audit_record(
            actor=actor,
            verb="created",
            target=initiative,
            changes=snapshot(initiative, ["name", "slug", "visibility", "stage"]),
        )
    forget_memberships(actor)
    return initiative


INITIATIVE_FIELDS = ["name", "purpose", "visibility", "stage", "review_observations"]


def initiative_update(*, actor, initiative: Initiative, **fields) -> Initiative:
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "visibility" in fields:
        _check_choice(fields["visibility"], Visibility, "visibility")
    if "stage" in fields:
        _check_choice(fields["stage"], Stage, "stage")
    if "name" in fields and not (fields["name"] or "").strip():
        raise ApplicationError("Give the initiative a name.", errors={"name": ["Required."]})
    _check_length(fields.get("purpose"), limits.SHORT, "purpose")
    before = snapshot(initiative, INITIATIVE_FIELDS)
    for key, value in fields.items():
        setattr(initiative, key, value)
    _full_clean(initiative)
    changes = diff(before, snapshot(initiative, INITIATIVE_FIELDS))
    if changes:
        with transaction.atomic():
            initiative.save(update_fields=[*changes.keys(), "updated_at"])
            audit_record(actor=actor, verb="updated", target=initiative, changes=changes)
            if "review_observations" in changes:
                hooks.notify(hooks.REVIEW_SETTING_CHANGED, actor=actor, initiative=initiative)
    return initiative


# --- Partners --------------------------------------------------------------------------------

PARTNER_FIELDS = [
    "name",
    "short_name",
    "kind",
    "parent",
    "description",
    "strengths",
    "contact_name",
    "contact_email",
]


def _set_path(partner: Partner) -> None:
    """The partner's materialised path: its parent's path and its own id ("/3/8/12/").

    Before the first insert the id is not known yet, so the row is written with a path ending
    in its uid instead and corrected in the same transaction: the database refuses an empty
    path (`partner_path_shape`), and a uid is a prefix of no other partner's path."""
    parent = partner.parent
    own = partner.pk if partner.pk else f"new-{partner.uid.hex}"
    partner.path = f"{parent.path if parent else '/'}{own}/"
    partner.depth = parent.depth + 1 if parent else 0


def _validate_partner(initiative: Initiative, partner: Partner) -> None:
    partner.name = (partner.name or "").strip()
    if not partner.name:
        raise ApplicationError("Give the partner a name.", errors={"name": ["Required."]})
    _check_choice(partner.kind, PartnerKind, "kind")
    _check_length(partner.description, limits.MEDIUM, "description")
    _check_length(partner.strengths, limits.MEDIUM, "strengths")
    if partner.parent is not None:
        if partner.parent.initiative_id != initiative.pk:
            raise ApplicationError(
                "The parent partner belongs to another initiative.",
                errors={"parent": ["Choose a partner of this initiative."]},
            )
        if partner.pk and partner.parent.path.startswith(partner.path):
            raise ApplicationError(
                "A partner cannot sit under itself or one of its own sub-partners.",
                errors={"parent": ["Choose a partner outside this one's branch."]},
            )
    clash = Partner.objects.filter(initiative=initiative, name__iexact=partner.name)
    if partner.pk:
        clash = clash.exclude(pk=partner.pk)
    if clash.exists():
        raise ApplicationError(
            f"There is already a partner called '{partner.name}'.",
            errors={"name": ["Already used in this initiative."]},
            code="exists",
            kind=CONFLICT,
        )
    _full_clean(partner, exclude=["initiative", "parent", "path"])


def partner_create(*, actor, initiative: Initiative, name: str, **fields) -> Partner:
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown partner fields: {', '.join(sorted(unknown))}.")
    fields.setdefault("kind", PartnerKind.TEAM)
    partner = Partner(initiative=initiative, name=name, **fields)
    _validate_partner(initiative, partner)
    with transaction.atomic():
        _set_path(partner)
        partner.save()
        _set_path(partner)
        partner.save(update_fields=["path", "depth"])
        audit_record(
            actor=actor,
            verb="created",
            target=partner,
            changes=snapshot(partner, ["name", "kind", "parent"]),
        )
    return partner


def partner_update(*, actor, partner: Partner, **fields) -> Partner:
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown partner fields: {', '.join(sorted(unknown))}.")
    before = snapshot(partner, PARTNER_FIELDS)
    old_path = partner.path
    for key, value in fields.items():
        setattr(partner, key, value)
    _validate_partner(partner.initiative, partner)
    changes = diff(before, snapshot(partner, PARTNER_FIELDS))
    if not changes:
        return partner
    with transaction.atomic():
        _set_path(partner)
        partner.save()
        if partner.path != old_path:
            # Re-root the whole branch under the new path.
            for child in Partner.objects.filter(path__startswith=old_path).exclude(pk=partner.pk):
                child.path = partner.path + child.path[len(old_path) :]
                child.depth = child.path.count("/") - 2
                child.save(update_fields=["path", "depth"])
            hooks.notify(hooks.PARTNER_TREE_CHANGED, actor=actor, initiative=partner.initiative)
        audit_record(actor=actor, verb="updated", target=partner, changes=changes)
    return partner


def partner_delete(*, actor, partner: Partner) -> None:
    if partner.children.exists():
        raise ApplicationError(
            f"'{partner}' has sub-partners. Move or delete them first.",
            code="has_children",
            kind=CONFLICT,
        )
    if partner.memberships.exists():
        raise ApplicationError(
            f"'{partner}' still has members. Move them to another partner first.",
            code="has_members",
            kind=CONFLICT,
        )
    with transaction.atomic():
        audit_record(actor=actor, verb="deleted", target=partner)
        try:
            partner.delete()
        except IntegrityError as exc:  # data of later conditions protects the partner
            raise ApplicationError(
                f"'{partner}' has data (measures, activities…) and cannot be deleted.",
                code="protected",
                kind=CONFLICT,
            ) from exc
        except Exception as exc:
            if exc.__class__.__name__ == "ProtectedError":
                raise ApplicationError(
                    f"'{partner}' has data (measures, activities…) and cannot be deleted.",
                    code="protected",
                    kind=CONFLICT,
                ) from exc
            raise


# --- Memberships -----------------------------------------------------------------------------


def _check_role_partner(initiative: Initiative, role: str, partner: Partner | None) -> None:
    _check_choice(role, Role, "role")
    if partner is not None and partner.initiative_id != initiative.pk:
        raise ApplicationError(
            "That partner belongs to another initiative.",
            errors={"partner": ["Choose a partner of this initiative."]},
        )
    if role in (Role.PARTNER_LEAD, Role.CONTRIBUTOR) and partner is None:
        raise ApplicationError(
            "Partner leads and contributors act for a partner: choose one.",
            errors={"partner": ["Required for this role."]},
        )


def _backbone_count(initiative: Initiative) -> int:
    return Membership.objects.filter(initiative=initiative, role=Role.BACKBONE).count()


def membership_update(
    *, actor, membership: Membership, role: str, partner: Partner | None
) -> Membership:
    _check_role_partner(membership.initiative, role, partner)
    if (
        membership.role == Role.BACKBONE
        and role != Role.BACKBONE
        and _backbone_count(membership.initiative) <= 1
    ):
        raise ApplicationError(
            "This is the last backbone member: make someone else backbone first.",
            errors={"role": ["An initiative needs at least one backbone member."]},
            code="last_backbone",
            kind=CONFLICT,
        )
    before = snapshot(membership, ["role", "partner"])
    membership.role = role
    membership.partner = partner
    changes = diff(before, snapshot(membership, ["role", "partner"]))
    if changes:
        with transaction.atomic():
            membership.save(update_fields=["role", "partner", "updated_at"])
            audit_record(actor=actor, verb="changed role", target=membership, changes=changes)
        forget_memberships(membership.user)
    return membership


def membership_remove(*, actor, membership: Membership) -> None:
    if membership.role == Role.BACKBONE and _backbone_count(membership.initiative) <= 1:
        raise ApplicationError(
            "The last backbone member cannot be removed: make someone else backbone first.",
            code="last_backbone",
            kind=CONFLICT,
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="removed",
            target=membership,
            changes={"user": membership.user.username, "role": membership.role},
        )
        membership.delete()
    forget_memberships(membership.user)


# --- Invitations -----------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(invitation: Invitation) -> str:
    """The token of an invitation's link: derived from the row and the site's SECRET_KEY, never
    stored. The database keeps only its hash, and the task that emails the link is queued with
    the invitation's id only: the worker derives the link again, so neither the invitations
    table nor the task queue's stored arguments hold a working link."""
    stamp = int(invitation.created_at.timestamp() * 1_000_000)
    return salted_hmac(
        "collective.core.invitation",
        f"{invitation.pk}:{invitation.email}:{stamp}",
        algorithm="sha256",
    ).hexdigest()


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("core:invitation-accept", kwargs={"token": token})


def invitation_create(
    *,
    actor,
    initiative: Initiative,
    email: str,
    role: str,
    partner: Partner | None = None,
    message: str = "",
) -> tuple[Invitation, str]:
    """Invite an email address; returns the invitation and its one-time token (never stored)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ApplicationError(
            "Enter a valid email address.", errors={"email": ["Enter a valid email address."]}
        ) from exc
    _check_role_partner(initiative, role, partner)
    _check_length(message, limits.SHORT, "message")
    if Membership.objects.filter(initiative=initiative, user__email__iexact=email).exists():
        raise ApplicationError(
            f"{email} is already a member of this initiative.",
            errors={"email": ["Already a member."]},
            code="exists",
            kind=CONFLICT,
        )
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        Invitation.objects.filter(
            initiative=initiative, email=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            initiative=initiative,
            email=email,
            role=role,
            partner=partner,
            message=message,
            # A placeholder until the row has the id the token is derived from.
            token_hash=secrets.token_hex(32),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        token = invitation_token(invitation)
        invitation.token_hash = _hash_token(token)
        invitation.save(update_fields=["token_hash"])
        audit_record(
            actor=actor,
            verb="invited",
            target=invitation,
            changes={"email": email, "role": role, "partner": str(partner or "")},
        )
        transaction.on_commit(lambda: _send_invitation(invitation))
    return invitation, token


def invitations_create(
    *,
    actor,
    initiative: Initiative,
    emails: list[str],
    role: str,
    partner: Partner | None = None,
    message: str = "",
) -> list[Invitation]:
    """Invite several addresses at once: all are checked first, and either all or none go out."""
    if not emails:
        raise ApplicationError(
            "Enter at least one email address.", errors={"emails": ["Required."]}
        )
    problems = []
    with transaction.atomic():
        invitations = []
        for email in emails:
            try:
                with transaction.atomic():
                    invitation, _token = invitation_create(
                        actor=actor,
                        initiative=initiative,
                        email=email,
                        role=role,
                        partner=partner,
                        message=message,
                    )
                invitations.append(invitation)
            except ApplicationError as error:
                if "email" not in error.errors:  # role or partner: the same for everyone
                    raise
                problems.append(f"{email}: {error.errors['email'][0]}")
        if problems:
            # Raising inside the atomic block undoes the invitations made so far, and their
            # emails, which wait for the commit, are never sent.
            raise ApplicationError(
                "Nobody was invited: correct these addresses first.",
                errors={"emails": problems},
            )
    return invitations


def _send_invitation(invitation: Invitation) -> None:
    send_invitation_email.enqueue(invitation_id=invitation.pk)


@task()
def send_invitation_email(*, invitation_id: int) -> int:
    """Email a pending invitation's link, derived in the worker from the invitation (never
    stored with the task)."""
    message = invitation_email(invitation_id)
    if message is None:
        return 0
    return send_mail(
        message["subject"], message["body"], settings.DEFAULT_FROM_EMAIL, message["to"]
    )


def invitation_email(invitation_id: int) -> dict | None:
    """The email of a pending invitation (subject, body, to), built by the worker; None when
    the invitation is no longer pending or the site's key changed since it was made."""
    invitation = (
        Invitation.objects.select_related("initiative", "partner", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.state != "pending":
        return None
    token = invitation_token(invitation)
    if _hash_token(token) != invitation.token_hash:
        return None
    inviter = invitation.invited_by.name if invitation.invited_by else "The backbone team"
    role = invitation.get_role_display().lower()
    partner = f" for {invitation.partner}" if invitation.partner else ""
    lines = [
        f"{inviter} invites you to join {invitation.initiative.name} on Collective "
        f"as {role}{partner}.",
        "",
    ]
    if invitation.message:
        lines += [invitation.message, ""]
    lines += [
        "Accept the invitation (the link works once and expires on "
        f"{invitation.expires_at:%d %B %Y}):",
        invitation_link(token),
    ]
    return {
        "subject": f"Invitation to {invitation.initiative.name}",
        "body": "\n".join(lines),
        "to": [invitation.email],
    }


def invitation_get_by_token(token: str) -> Invitation:
    """The invitation for a token, or an ApplicationError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("initiative", "partner", "invited_by")
        .filter(token_hash=_hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise ApplicationError(
            "This invitation link is not valid. Check that you copied the whole link.",
            code="not_found",
        )
    state = invitation.state
    if state == "accepted":
        raise ApplicationError(
            "This invitation has already been used. Sign in to reach the initiative, or ask "
            "the backbone team for a new invitation.",
            code="used",
            kind=CONFLICT,
        )
    if state == "revoked":
        raise ApplicationError(
            "This invitation was withdrawn or replaced by a newer one. Ask the backbone team "
            "for a new invitation.",
            code="revoked",
            kind=CONFLICT,
        )
    if state == "expired":
        raise ApplicationError(
            f"This invitation expired on {invitation.expires_at:%d %B %Y}. Ask the backbone "
            "team to send a new one.",
            code="expired",
            kind=CONFLICT,
        )
    return invitation


def invitation_accept(*, token: str, user) -> Membership:
    """The signed-in user joins with the role and partner the invitation names."""
    with transaction.atomic():
        invitation = invitation_get_by_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "pending":  # someone else used it meanwhile
            invitation_get_by_token(token)
        membership = Membership.objects.filter(initiative=invitation.initiative, user=user).first()
        if membership is None:
            membership = Membership.objects.create(
                initiative=invitation.initiative,
                user=user,
                role=invitation.role,
                partner=invitation.partner,
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_record(
            actor=user,
            verb="joined",
            target=membership,
            changes={"role": membership.role, "partner": str(membership.partner or "")},
        )
    forget_memberships(user)
    return membership


def invitation_accept_new_user(
    *, token: str, username: str, password: str, display_name: str = "", **profile
):
    """Create an account for the invited email and accept the invitation, all or nothing."""
    invitation = invitation_get_by_token(token)
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["Choose a username."]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["That username is taken. Choose another, or sign in if it is yours."]
    if User.objects.filter(email__iexact=invitation.email).exists():
        errors["email"] = [
            f"An account already uses {invitation.email}. Sign in to accept the invitation."
        ]
    user = User(
        username=username,
        email=invitation.email,
        display_name=display_name.strip(),
        function=profile.get("function", ""),
        level=profile.get("level", ""),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ApplicationError("Please correct the fields below.", errors=errors)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        audit_record(actor=user, verb="signed up", target=user, initiative=invitation.initiative)
        invitation_accept(token=token, user=user)
    return user


def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    if invitation.state != "pending":
        raise ApplicationError(
            f"This invitation is already {invitation.state}.", code="not_pending", kind=CONFLICT
        )
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, verb="revoked", target=invitation)
    return invitation


# --- Profile ---------------------------------------------------------------------------------

PROFILE_FIELDS = ["display_name", "function", "level", "email", "first_name", "last_name"]


def profile_update(*, actor, user, **fields):
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    before = snapshot(user, PROFILE_FIELDS)
    for key, value in fields.items():
        setattr(user, key, value)
    if "email" in fields and (
        User.objects.filter(email__iexact=fields["email"]).exclude(pk=user.pk).exists()
    ):
        raise ApplicationError(
            "Another account uses that email address.",
            errors={"email": ["Already in use."]},
            code="exists",
            kind=CONFLICT,
        )
    _full_clean(user, exclude=["password", "username"])
    changes = diff(before, snapshot(user, PROFILE_FIELDS))
    if changes:
        with transaction.atomic():
            user.save(update_fields=list(changes))
            audit_record(actor=actor, verb="updated profile", target=user, changes=changes)
    return user


def user_create(*, username: str, email: str, password: str, **profile):
    """Create an account directly (demo loader, administrators); invitations are the usual way."""
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"The username '{username}' is taken.", code="exists", kind=CONFLICT)
    user = User(username=username, email=email, **profile)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(actor=None, verb="created account", target=user)
    return user


# --- API tokens --------------------------------------------------------------------------------

TOKEN_LIFETIMES = {30: "30 days", 90: "90 days", 365: "1 year"}


def api_token_create(*, actor, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new API token for `actor`; returns it and the token itself, shown once and never
    stored (only its digest is). It expires after `days` (default: the site's lifetime)."""
    from knox.settings import knox_settings

    name = (name or "").strip()
    if len(name) > 100:
        raise ApplicationError(
            "Keep the name under 100 characters.", errors={"name": ["Too long."]}
        )
    if days is not None and days not in TOKEN_LIFETIMES:
        raise ApplicationError(
            "Choose how long the token works.",
            errors={"days": [f"One of: {', '.join(map(str, TOKEN_LIFETIMES))}."]},
        )
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and _live_tokens(actor).count() >= limit:
        raise ApplicationError(
            f"You have {limit} tokens, the most one person may have: revoke one you no longer "
            "use first.",
            code="conflict",
        )
    lifetime = timedelta(days=days) if days else knox_settings.TOKEN_TTL
    with transaction.atomic():
        token, secret = ApiToken.objects.create(
            user=actor, expiry=lifetime, name=name or f"Token of {timezone.localdate():%d %b %Y}"
        )
        audit_record(
            actor=actor,
            verb="created API token",
            target=token,
            changes={"name": token.name, "expires": token.expiry},
        )
    return token, secret


def _live_tokens(user):
    from django.db.models import Q

    return ApiToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )


def api_token_list(user):
    """The person's tokens that still work, newest first."""
    return _live_tokens(user).order_by("-created")


def api_token_revoke(*, actor, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise ApplicationError("That token is not yours.", code="not_found")
    with transaction.atomic():
        audit_record(actor=actor, verb="revoked API token", target=token)
        ApiToken.objects.filter(pk=token.pk).delete()
