"""Choices of mutually reinforcing activities."""

from django.db import models


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DONE = "done", "Done"
    STOPPED = "stopped", "Stopped"


OPEN_STATUSES = [ActivityStatus.PLANNED, ActivityStatus.ACTIVE, ActivityStatus.PAUSED]


class Lever(models.TextChoices):
    """The six conditions of systems change (Kania, Kramer, Senge) — or a programme/service."""

    PROGRAMME = "programme", "Programme or service"
    POLICIES = "policies", "Policies"
    PRACTICES = "practices", "Practices"
    RESOURCE_FLOWS = "resource_flows", "Resource flows"
    RELATIONSHIPS = "relationships", "Relationships and connections"
    POWER = "power", "Power dynamics"
    MENTAL_MODELS = "mental_models", "Mental models"


LEVER_HELP = {
    Lever.PROGRAMME: "Delivers a programme or service directly; it helps people now but does not "
    "change the system by itself.",
    Lever.POLICIES: "Changes rules, regulations or priorities — written down, in any organisation.",
    Lever.PRACTICES: "Changes how people and organisations work day to day.",
    Lever.RESOURCE_FLOWS: "Changes how money, people, knowledge and information are allocated.",
    Lever.RELATIONSHIPS: "Builds connections and communication between actors in the system.",
    Lever.POWER: "Shifts who has decision-making power and influence.",
    Lever.MENTAL_MODELS: "Shifts deeply held beliefs and assumptions that shape how we act.",
}
SYSTEMS_LEVERS = [lever for lever in Lever if lever != Lever.PROGRAMME]


class Strength(models.TextChoices):
    """How strongly the activity is expected to move the outcome or indicator."""

    DIRECT = "direct", "Direct — it moves the outcome itself"
    INDIRECT = "indirect", "Indirect — it helps through something else"


class Verdict(models.TextChoices):
    SUBSTANTIATED = "substantiated", "Substantiated"
    CONTESTED = "contested", "Contested"


class OverlapDecisionKind(models.TextChoices):
    COORDINATE = "coordinate", "Coordinate"
    NOT_OVERLAP = "not_overlap", "Not an overlap"


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Collaboration(models.TextChoices):
    """Levels of collaboration (Himmelman's continuum, as in the PARTNER tool)."""

    NONE = "none", "None"
    NETWORKING = "networking", "Networking — exchanging information"
    COOPERATION = "cooperation", "Cooperation — sharing resources now and then"
    COORDINATION = "coordination", "Coordination — planning activities together"
    COALITION = "coalition", "Coalition — sharing ideas and resources over time"
    COLLABORATION = "collaboration", "Collaboration — one shared system, shared decisions"


COLLABORATION_RANK = {level.value: rank for rank, level in enumerate(Collaboration)}

# The PARTNER tool's questions, each rated 1 (not at all) to 4 (a great deal / very).
TRUST_FIELDS = ["reliability", "mission", "openness"]
VALUE_FIELDS = ["power", "involvement", "resources"]
RATING_LABELS = {
    "reliability": "Reliability — they follow through on commitments",
    "mission": "Support of mission — they share the initiative's mission and goals",
    "openness": "Openness to discussion — they are willing to discuss hard topics",
    "power": "Power and influence — they can shape what happens",
    "involvement": "Level of involvement — they are strongly committed and active",
    "resources": "Resource contribution — they bring funding, people, data or skills",
}

DEFAULT_CAPABILITIES = [
    ("Service delivery", "Running a programme or service for people directly."),
    ("Data and evaluation", "Collecting, analysing and sharing data; evaluating what works."),
    ("Community engagement", "Reaching and involving the people closest to the issue."),
    ("Policy and advocacy", "Changing rules, budgets and priorities."),
    ("Funding", "Bringing money or in-kind resources."),
    ("Technology", "Building and running tools, integrations and platforms."),
    ("Training and coaching", "Building other people's skills."),
    ("Facilitation and convening", "Bringing people together and keeping the work moving."),
    ("Communications", "Telling the story to the public, staff or customers."),
    ("Legal and compliance", "Contracts, rights, regulation."),
]
