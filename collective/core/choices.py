"""Choices of the core models."""

from django.db import models


class Role(models.TextChoices):
    BACKBONE = "backbone", "Backbone"
    PARTNER_LEAD = "partner_lead", "Partner lead"
    CONTRIBUTOR = "contributor", "Contributor"
    VIEWER = "viewer", "Viewer"


# Higher rank can do everything a lower rank can (within its partner scope).
ROLE_RANK = {Role.VIEWER: 1, Role.CONTRIBUTOR: 2, Role.PARTNER_LEAD: 3, Role.BACKBONE: 4}

ROLE_HELP = {
    Role.BACKBONE: "Coordinates the initiative and sees everything in it: sets up the agenda, "
    "invites partners, runs touchpoints and publishes reports.",
    Role.PARTNER_LEAD: "Owns a partner: its data, activities and updates; endorses the agenda "
    "for the partner.",
    Role.CONTRIBUTOR: "Submits data, posts updates, comments and takes action items for their "
    "own partner.",
    Role.VIEWER: "Reads everything members can see (a leader, a funder, a board member).",
}


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private — only members know it exists"
    MEMBERS = "members", "Listed — signed-in people see its name and purpose; members see the rest"
    PUBLIC = "public", "Public — anyone can read what is marked public"


class Stage(models.TextChoices):
    EARLY = "early", "Early — forming the agenda and the partnership"
    MIDDLE = "middle", "Middle — measuring and aligning activities"
    LATE = "late", "Late — sustaining and scaling what works"


class PartnerKind(models.TextChoices):
    TEAM = "team", "Team"
    DEPARTMENT = "department", "Department"
    ORGANISATION = "organisation", "Organisation"
    COMMUNITY_GROUP = "community_group", "Community group"


class Level(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"
    FRONTLINE = "frontline", "Frontline"
    COMMUNITY = "community", "Community member"
    PARTNER_ORG = "partner_org", "Partner organisation"
