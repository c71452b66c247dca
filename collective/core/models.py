"""Core models: people, initiatives, partners, memberships, invitations and the audit log."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from knox.models import AbstractAuthToken

from .choices import Level, PartnerKind, Role, Stage, Visibility


class User(AbstractUser):
    """A person. Profile fields live here: later conditions use them to show whose voices count."""

    display_name = models.CharField(max_length=150, blank=True)
    function = models.CharField(
        "function or department",
        max_length=150,
        blank=True,
        help_text="The part of the organisation or community you work in, e.g. Sales, Youth work.",
    )
    level = models.CharField(
        max_length=20,
        choices=Level.choices,
        blank=True,
        help_text="Your position relative to the issue — used to see which voices are heard.",
    )

    class Meta:
        ordering = ["display_name", "username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class TimeStamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Initiative(TimeStamped):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Short name used in addresses, e.g. /i/youth-housing/. Letters, digits, hyphens.",
    )
    purpose = models.TextField(
        blank=True,
        help_text="One or two sentences: the shared result this initiative works toward.",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    stage = models.CharField(
        max_length=10,
        choices=Stage.choices,
        default=Stage.EARLY,
        help_text="Where the initiative is in its life; the backbone cockpit adapts its advice.",
    )
    review_observations = models.BooleanField(
        default=False,
        help_text="When on, submitted data counts only after the backbone approves it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:initiative-overview", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class InitiativeOwned(TimeStamped):
    """Every initiative-owned row carries its initiative: tenancy is checked on it."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Partner(InitiativeOwned):
    """A team, department, organisation or community group taking part; partners form a tree."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="partners")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    short_name = models.CharField(
        max_length=30, blank=True, help_text="Used in tables and charts, e.g. 'Ops'."
    )
    kind = models.CharField(max_length=20, choices=PartnerKind.choices, default=PartnerKind.TEAM)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The partner this one belongs to, if any (e.g. a team within a department).",
    )
    # Materialised path of ancestor ids, "/3/8/12/" (own id last): subtree = path__startswith.
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    description = models.TextField(blank=True)
    strengths = models.TextField(
        blank=True, help_text="What this partner is especially good at — its contribution."
    )
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "name"], name="partner_name_unique"),
            # Scopes are path prefixes: an empty path (or "/") would be a prefix of every
            # partner's path and let this partner's members act for everyone.
            models.CheckConstraint(
                condition=models.Q(path__startswith="/")
                & models.Q(path__endswith="/")
                & ~models.Q(path="/")
                & ~models.Q(path__contains="//"),
                name="partner_path_shape",
                violation_error_message="A partner's path is set by the partner services.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "core:partner-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Membership(InitiativeOwned):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["initiative", "user__display_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.initiative}"


class Invitation(InitiativeOwned):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    message = models.TextField(blank=True)
    # Only a hash of the token is stored: a database leak does not leak working links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.initiative}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEventQuerySet(models.QuerySet):
    """Audit entries are written once and never changed or deleted, in bulk or one by one.

    (Deleting a whole initiative or a person still works: Django's deletion collector removes
    or unlinks their entries without going through these methods.)"""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEvent(models.Model):
    """One row per service write: who did what to which object, and which fields changed.

    Append-only: an existing entry cannot be saved again or deleted (the admin shows entries
    read-only; a database trigger refuses UPDATE statements as well).
    """

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60, db_index=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["initiative", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.target_type} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    def change_rows(self) -> list[tuple[str, Any, Any, bool]]:
        """(field, old, new, is_change) rows of `changes` ({field: {"from", "to"}}): a field
        that had no value before (a creation, a note) shows only its new value."""
        return [
            (field, value.get("from"), value.get("to"), value.get("from") is not None)
            for field, value in (self.changes or {}).items()
        ]


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only a SHA-512 digest of it is stored, with the first
    characters (`token_key`) to find it. People name their tokens, see when each was last used,
    and revoke them on their profile page; every token expires."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name or 'API token'} of {self.user}"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
