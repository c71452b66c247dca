"""What the public reads of the common agenda (see collective/core/public.py): the adopted
agenda of a public initiative, with the partners that lead its outcomes, as the public agenda
page shows it. Drafts, the consultation and endorsements are for members."""

from collective.core.public import PARTNERS, PEOPLE, Public, fields, paginated

VERSION_FIELDS = (
    "uid",
    "number",
    "status",
    "title",
    "problem_statement",
    "vision",
    "principles",
    "rationale",
    "learning",
    "based_on",
    "revision",
    "consultation_opened_at",
    "consultation_closed_at",
    # Members only (null for the public): the consultation's summary and who adopted it.
    "consultation_summary",
    "adopted_by",
    "adopted_at",
    "outcome_count",
    "created_at",
    "updated_at",
)
OUTCOME_FIELDS = (
    "uid",
    "version",
    "parent",
    "depth",
    "kind",
    "statement",
    "description",
    "horizon",
    "lead_partner",
    "co_partners",
    "co_partners[]",
    "order",
)

PUBLIC = [
    Public(
        "agenda:index",
        "The adopted agenda: problem, vision, outcome tree with lead and co-partners.",
        shows=frozenset({PARTNERS}),
        page=True,
    ),
    Public(
        "agenda:version-detail",
        "An adopted version, with who adopted it (display name) and its outcome tree.",
        shows=frozenset({PARTNERS, PEOPLE}),
        page=True,
    ),
    Public(
        "agenda:version-print",
        "The printable adopted version.",
        shows=frozenset({PARTNERS, PEOPLE}),
        page=True,
    ),
    Public(
        "api:agenda-version-list",
        "Adopted versions only; no consultation summary, no username.",
        fields=paginated(*VERSION_FIELDS),
    ),
    Public(
        "api:agenda-version-detail",
        "An adopted version; no consultation summary, no username.",
        fields=fields(*VERSION_FIELDS),
    ),
    Public(
        "api:outcome-list",
        "The adopted outcome tree; lead and co-partners by uid, as the page names them.",
        fields=paginated(*OUTCOME_FIELDS),
        shows=frozenset({PARTNERS}),
    ),
    Public(
        "api:outcome-detail",
        "One outcome of the adopted tree.",
        fields=fields(*OUTCOME_FIELDS),
        shows=frozenset({PARTNERS}),
    ),
]
