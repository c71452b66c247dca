"""Demo data of mutually reinforcing activities, for both demo initiatives: activities for every
partner with claims on the agenda's outcomes, reviews, dependencies (one slipped), strengths, and
— on purpose — gaps: an outcome nobody works on, a fragile outcome (one partner), an outcome
that hangs on one partner's activity, programme-only work, a partner with no outcome; two real
overlaps and one near miss; a closed and an open relationship survey round with mismatches.

Idempotent: an initiative that already has activities is left as it is. Dates are relative to
today. Everything goes through the services.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from collective.agenda.models import Outcome
from collective.core.models import Partner
from collective.measurement.models import Indicator

from . import services
from .models import Activity, Capability, SurveyRound

# (partner, title, description, status, lever, start (days from today), end, % complete,
#  claims [(outcome title starts with, strength, rationale)], supporting partners, own measures)
COMPANY = [
    (
        "Transformation Office",
        "Monthly cross-department onboarding review",
        "A monthly review of the onboarding journey with all eight department heads: the shared "
        "measures, the slowest hand-offs, and one decision each time.",
        "active",
        "relationships",
        -200,
        160,
        55,
        [
            (
                "Customers are live",
                "indirect",
                "Keeps every department looking at the same "
                "end-to-end numbers, so delays surface early.",
            )
        ],
        ["Sales", "Customer Success", "Onboarding Operations"],
        ["WORKSHOPS"],
    ),
    (
        "Sales",
        "Complete hand-off notes at signing",
        "Sales fills a structured hand-off note (goals, systems, contacts) before a deal is marked "
        "won; the CRM blocks the stage change until it is complete.",
        "active",
        "practices",
        -150,
        60,
        70,
        [
            (
                "Sales hand-off notes",
                "direct",
                "The note is the hand-off: a complete note at signing "
                "is what the outcome asks for.",
            )
        ],
        ["Onboarding Operations"],
        [],
    ),
    (
        "Sales",
        "Training for account executives on writing hand-off notes",
        "Two short training sessions for account executives on what Onboarding needs to know "
        "about a new customer's goals and systems.",
        "done",
        "programme",
        -120,
        -90,
        100,
        [
            (
                "Sales hand-off notes",
                "indirect",
                "People who know why the note matters fill it in better.",
            )
        ],
        [],
        [],
    ),
    (
        "Customer Success",
        "Customer kick-off call script",
        "A shared script for the first call with a new customer: agree goals, the go-live date, "
        "who does what, and book the technical set-up.",
        "active",
        "practices",
        -60,
        90,
        40,
        [
            (
                "Hand-offs between",
                "direct",
                "One script means the customer hears one plan, and the "
                "hand-off from Sales is checked on the call.",
            )
        ],
        [],
        [],
    ),
    (
        "Onboarding Operations",
        "Kick-off meeting script for new customers",
        "Script for the kick-off meeting with each new customer: goals, go-live date, "
        "responsibilities and booking the technical set-up.",
        "planned",
        "practices",
        10,
        120,
        0,
        [("Hand-offs between", "direct", "A standard kick-off makes the hand-off complete.")],
        ["Customer Success"],
        [],
    ),
    (
        "Onboarding Operations",
        "Single onboarding tracker",
        "One tracker every department updates instead of eight spreadsheets and email threads.",
        "active",
        "resource_flows",
        -180,
        30,
        80,
        [
            ("Hand-offs between", "direct", "Everyone sees the next step and who owns it."),
            ("Sales hand-off notes", "indirect", "The tracker shows which notes are missing."),
            ("Customers are live", "indirect", "Fewer lost days between steps."),
        ],
        ["Engineering"],
        ["BACKLOG"],
    ),
    (
        "Enterprise Success",
        "Multi-site roll-out playbook",
        "A playbook for customers going live across several sites: waves, pilot site, local "
        "champions.",
        "active",
        "practices",
        -90,
        120,
        35,
        [
            (
                "Customers are live",
                "direct",
                "Enterprise customers are the slowest to go live; the "
                "playbook removes the guesswork.",
            )
        ],
        [],
        [],
    ),
    (
        "SMB Success",
        "Onboarding webinars for small customers",
        "Weekly group webinars that walk small customers through the first set-up steps.",
        "active",
        "programme",
        -100,
        200,
        50,
        [
            (
                "Customers can do the first set-up",
                "direct",
                "Customers who attend do the first steps themselves.",
            )
        ],
        [],
        ["SETUP_TICKETS"],
    ),
    (
        "Product",
        "In-app set-up guide",
        "A step-by-step guide inside the product for the first set-up: data import, users, "
        "first workflow.",
        "active",
        "programme",
        -140,
        100,
        60,
        [
            (
                "Customers can do the first set-up",
                "direct",
                "Customers complete set-up steps without a ticket.",
            )
        ],
        ["SMB Success"],
        [],
    ),
    (
        "Engineering",
        "Automated data migration checks",
        "Automated checks of a customer's data before migration, so problems are found on day "
        "one instead of at go-live.",
        "active",
        "practices",
        -120,
        45,
        65,
        [("Technical set-up is ready", "direct", "Migrations stop failing late.")],
        ["Platform Team"],
        ["MIGRATION_OK"],
    ),
    (
        "Integrations Team",
        "Integration templates for the top CRMs",
        "Ready-made configuration templates for the five CRMs most customers use.",
        "active",
        "practices",
        -80,
        90,
        45,
        [
            (
                "Integrations are configured",
                "direct",
                "Most integrations start from a template instead of from scratch.",
            ),
            ("Technical set-up is ready", "indirect", "Templates take days off the set-up."),
        ],
        [],
        ["INTEGRATIONS"],
    ),
    (
        "Platform Team",
        "Standard security evidence pack",
        "One up-to-date pack of security evidence (certifications, pen-test summary, "
        "architecture) that answers most security questionnaires.",
        "active",
        "resource_flows",
        -30,
        40,
        30,
        [],
        [],
        [],
    ),
    (
        "IT & Security",
        "Pre-approved answers for security questionnaires",
        "A library of approved answers to the questions customers' security teams ask most, "
        "built on the evidence pack.",
        "planned",
        "practices",
        20,
        110,
        0,
        [("Security reviews finish", "direct", "Most questions are answered the same day.")],
        [],
        ["SECURITY_DAYS"],
    ),
    (
        "IT & Security",
        "Training for support staff on security questionnaires",
        "Training for support staff on where the answers to security questionnaires are and when "
        "to call IT & Security.",
        "planned",
        "programme",
        40,
        70,
        0,
        [("Security reviews finish", "indirect", "Fewer questions wait for IT & Security.")],
        [],
        [],
    ),
    (
        "Legal",
        "Standard data-processing agreement",
        "A standard data-processing agreement customers can sign without negotiation, aligned "
        "with the security evidence pack.",
        "active",
        "policies",
        -60,
        50,
        50,
        [("Security reviews finish", "direct", "Legal review stops being a separate wait.")],
        [],
        [],
    ),
    (
        "Finance & Billing",
        "Billing set-up checklist",
        "A checklist to set up billing for a new customer — but it is not yet linked to the "
        "agenda's outcomes.",
        "planned",
        "practices",
        15,
        75,
        0,
        [],
        [],
        [],
    ),
]
COMPANY_DEPENDENCIES = [
    # (activity, needs)
    ("Pre-approved answers for security questionnaires", "Standard security evidence pack"),
    ("Standard data-processing agreement", "Standard security evidence pack"),
    ("Training for support staff on security questionnaires", "Standard security evidence pack"),
    ("Kick-off meeting script for new customers", "Complete hand-off notes at signing"),
    ("Integration templates for the top CRMs", "Automated data migration checks"),
]
# The evidence pack slips: the two activities waiting on it are flagged.
COMPANY_SLIP = ("Standard security evidence pack", 45)
# A near miss: alike in words and outcome, but complementary rather than duplicated.
COMPANY_NOT_OVERLAP = (
    "Onboarding webinars for small customers",
    "In-app set-up guide",
    "Complementary: the webinars teach groups, the guide helps each customer in the product.",
)
COMPANY_REVIEWS = [
    # (reviewer username, activity, verdict, comment)
    (
        "lead",
        "Complete hand-off notes at signing",
        "substantiated",
        "Since March the notes we get are complete for 9 deals out of 10.",
    ),
    (
        "cs.amy",
        "Single onboarding tracker",
        "substantiated",
        "We stopped chasing updates by email.",
    ),
    (
        "eng.mia",
        "In-app set-up guide",
        "contested",
        "Set-up tickets have not dropped yet; the migration checks may explain the change.",
    ),
]
COMPANY_COORDINATE = (
    "Customer kick-off call script",
    "Kick-off meeting script for new customers",
    "Write one kick-off script together; Customer Success runs the call, Onboarding Operations "
    "owns the template.",
)
COMPANY_STRENGTHS = {
    "Transformation Office": {"Facilitation and convening": 4, "Data and evaluation": 3},
    "Sales": {"Communications": 3, "Community engagement": 2},
    "Customer Success": {"Service delivery": 4, "Training and coaching": 3},
    "Onboarding Operations": {
        "Service delivery": 3,
        "Facilitation and convening": 2,
        "Data and evaluation": 2,
    },
    "Product": {"Technology": 4, "Data and evaluation": 3},
    "Engineering": {"Technology": 4},
    "Integrations Team": {"Technology": 3},
    "Legal": {"Legal and compliance": 4, "Policy and advocacy": 3},
    "Finance & Billing": {"Funding": 3, "Data and evaluation": 3},
    "IT & Security": {"Legal and compliance": 2, "Technology": 3},
}
# (respondent, about, level, trust ratings, value ratings)
COMPANY_SURVEY_CLOSED = [
    ("Sales", "Onboarding Operations", "cooperation", (2, 3, 2), (3, 2, 2)),
    ("Onboarding Operations", "Sales", "coordination", (3, 3, 3), (3, 3, 2)),
    ("Onboarding Operations", "Customer Success", "coordination", (3, 4, 3), (3, 3, 3)),
    ("Customer Success", "Onboarding Operations", "coordination", (3, 3, 3), (3, 3, 3)),
    ("Engineering", "Platform Team", "collaboration", (4, 4, 3), (3, 4, 4)),
    ("Legal", "IT & Security", "networking", (3, 3, 2), (2, 2, 2)),
]
COMPANY_SURVEY_OPEN = [
    ("Sales", "Onboarding Operations", "coordination", (3, 3, 3), (3, 3, 3)),
    # A tie people report with no shared work on the platform:
    ("Sales", "Legal", "collaboration", (4, 3, 4), (3, 3, 3)),
    ("Onboarding Operations", "Sales", "coalition", (4, 3, 3), (3, 3, 3)),
    ("Onboarding Operations", "Customer Success", "collaboration", (4, 4, 4), (4, 3, 3)),
    # Legal answered, but says nothing of the Platform Team whose evidence pack it needs.
    ("Legal", "IT & Security", "cooperation", (3, 3, 3), (3, 2, 2)),
]

COALITION = [
    (
        "United Way Backbone Team",
        "Shared youth housing data dashboard",
        "Monthly dashboard of referrals, beds, moves into housing and evictions prevented, shared "
        "with every partner.",
        "active",
        "resource_flows",
        -300,
        200,
        60,
        [("Youth homelessness is rare", "indirect", "Partners act on the same numbers.")],
        ["County Youth Services"],
        [],
    ),
    (
        "City Housing Department",
        "Rapid rehousing vouchers for 18–24",
        "A ring-fenced pool of rapid rehousing vouchers for young people, with a 30-day target.",
        "active",
        "resource_flows",
        -250,
        120,
        70,
        [
            (
                "Young people move into stable housing",
                "direct",
                "Vouchers pay the first months' rent and the deposit.",
            )
        ],
        ["County Youth Services"],
        [],
    ),
    (
        "County Youth Services",
        "Case management for care leavers",
        "A named case worker for every care leaver from 16, with a housing plan before they "
        "leave care.",
        "active",
        "programme",
        -400,
        200,
        65,
        [
            (
                "Young people at risk are identified",
                "direct",
                "Care leavers are a third of the young people we see.",
            ),
            (
                "Young people move into stable housing",
                "indirect",
                "A plan before leaving care avoids the street.",
            ),
        ],
        [],
        ["CASE_WAIT_DAYS"],
    ),
    (
        "Safe Harbor Shelter",
        "24/7 youth intake line",
        "A phone and text line answered day and night that finds a young person a bed the same "
        "night.",
        "active",
        "programme",
        -365,
        365,
        80,
        [("Young people find a safe", "direct", "Intake is where the same-night bed is found.")],
        ["Northside Youth Hostel"],
        ["BED_NIGHTS"],
    ),
    (
        "Northside Youth Hostel",
        "Volunteer host families offering short stays to homeless youth",
        "Volunteer host families offer young people a safe room for a few weeks while a housing "
        "plan is made.",
        "active",
        "programme",
        -90,
        180,
        30,
        [("Young people find a safe", "direct", "Host families add beds outside the shelter.")],
        [],
        [],
    ),
    (
        "Faith Community Network",
        "Emergency host homes: volunteers host young people",
        "Volunteers from congregations host homeless young people in their homes for short stays "
        "while a housing plan is made.",
        "planned",
        "programme",
        20,
        200,
        0,
        [("Young people find a safe", "direct", "Host homes add safe beds in neighbourhoods.")],
        [],
        [],
    ),
    (
        "Unified School District",
        "Housing-risk screening by school counsellors",
        "Counsellors ask three housing questions in every pastoral meeting and refer early.",
        "active",
        "practices",
        -200,
        150,
        45,
        [
            (
                "Young people at risk are identified",
                "direct",
                "Schools see risk months before services do.",
            )
        ],
        ["County Youth Services"],
        ["SCHOOL_REFERRALS"],
    ),
    (
        "Legal Aid Society",
        "Eviction defence clinic for young tenants",
        "A weekly clinic defending young tenants against eviction, with the City's vouchers as a "
        "fallback.",
        "active",
        "programme",
        -180,
        180,
        55,
        [
            (
                "Young people move into stable housing",
                "direct",
                "Keeping a home is cheaper than finding one.",
            )
        ],
        ["City Housing Department"],
        [],
    ),
    (
        "Workforce Board",
        "Paid apprenticeships for young people in housing support",
        "Paid apprenticeships reserved for young people in housing support, with a wage from the "
        "first week.",
        "active",
        "programme",
        -150,
        220,
        40,
        [("Young people have an income", "direct", "A wage keeps the rent paid.")],
        [],
        [],
    ),
    (
        "Youth Advisory Council",
        "Youth voice in service design",
        "Young people with lived experience review every new service and policy of the coalition "
        "before it starts.",
        "active",
        "power",
        -250,
        250,
        50,
        [
            (
                "Youth homelessness is rare",
                "indirect",
                "Services young people trust are the ones they use.",
            )
        ],
        ["United Way Backbone Team"],
        ["YAC_SESSIONS"],
    ),
    (
        "Faith Community Network",
        "Training for volunteers on safeguarding young people",
        "Safeguarding training for every volunteer host before their first stay.",
        "planned",
        "programme",
        0,
        30,
        0,
        [("Young people find a safe", "indirect", "Hosts who are trained are safe hosts.")],
        [],
        [],
    ),
]
COALITION_DEPENDENCIES = [
    (
        "Emergency host homes: volunteers host young people",
        "Training for volunteers on safeguarding young people",
    ),
    ("Eviction defence clinic for young tenants", "Rapid rehousing vouchers for 18–24"),
]
COALITION_REVIEWS = [
    (
        "coalition",
        "24/7 youth intake line",
        "substantiated",
        "Same-night placements rose from 60% to 81% since the line opened.",
    ),
    (
        "city.dana",
        "Housing-risk screening by school counsellors",
        "substantiated",
        "Referrals from schools now arrive months earlier.",
    ),
]
COALITION_STRENGTHS = {
    "United Way Backbone Team": {"Facilitation and convening": 4, "Data and evaluation": 4},
    "City Housing Department": {"Funding": 4, "Policy and advocacy": 3},
    "County Youth Services": {"Service delivery": 4, "Training and coaching": 2},
    "Safe Harbor Shelter": {"Service delivery": 4},
    "Legal Aid Society": {"Legal and compliance": 4, "Policy and advocacy": 3},
    "Workforce Board": {"Training and coaching": 4, "Funding": 2},
    "Youth Advisory Council": {"Community engagement": 4, "Communications": 3},
    "Faith Community Network": {"Community engagement": 3},
}
COALITION_SURVEY_CLOSED = [
    ("City Housing Department", "Legal Aid Society", "coordination", (3, 3, 3), (3, 3, 3)),
    ("Safe Harbor Shelter", "Northside Youth Hostel", "collaboration", (4, 4, 4), (3, 3, 3)),
    ("Youth Advisory Council", "United Way Backbone Team", "coalition", (3, 4, 3), (4, 3, 3)),
]


def _outcome(initiative, prefix: str) -> Outcome:
    return Outcome.objects.get(initiative=initiative, title__startswith=prefix, retired=False)


def _partner(initiative, name: str) -> Partner:
    return Partner.objects.get(initiative=initiative, name=name)


def _load(world, initiative, actor, spec) -> None:
    today = timezone.localdate()
    made: dict[str, Activity] = {}
    for (
        partner,
        title,
        description,
        status,
        lever,
        start,
        end,
        percent,
        claims,
        supporters,
        measures,
    ) in spec["activities"]:
        activity = services.activity_create(
            actor=actor,
            initiative=initiative,
            partner=_partner(initiative, partner),
            title=title,
            description=description,
            status=status,
            lever=lever,
            start=today + timedelta(days=start),
            end=today + timedelta(days=end),
            percent_complete=percent,
            supporting_partners=[_partner(initiative, n) for n in supporters],
            measures=list(Indicator.objects.filter(initiative=initiative, code__in=measures)),
        )
        made[title] = activity
        for prefix, strength, rationale in claims:
            services.claim_create(
                actor=actor,
                activity=activity,
                outcome=_outcome(initiative, prefix),
                strength=strength,
                rationale=rationale,
                alternatives="Other partners' work on the same outcome; seasonal demand.",
            )
        if percent and status != "planned":
            services.progress_add(
                actor=actor,
                activity=activity,
                note="Started as planned." if percent < 50 else "More than half done.",
                date=today - timedelta(days=7),
                percent_complete=percent,
            )
    for title, needs in spec["dependencies"]:
        services.dependency_add(actor=actor, activity=made[title], needs=made[needs])
    if spec.get("slip"):
        title, days = spec["slip"]
        activity = made[title]
        services.activity_update(
            actor=actor, activity=activity, end=activity.end + timedelta(days=days)
        )
    for username, title, verdict, comment in spec["reviews"]:
        claim = made[title].claims.first()
        services.claim_review(
            actor=world.users[username], claim=claim, verdict=verdict, comment=comment
        )
    if spec.get("coordinate"):
        first, second, note = spec["coordinate"]
        services.overlap_decide(
            actor=actor, first=made[first], second=made[second], decision="coordinate", note=note
        )
    if spec.get("not_overlap"):
        first, second, note = spec["not_overlap"]
        services.overlap_decide(
            actor=actor,
            first=made[first],
            second=made[second],
            decision="not_overlap",
            note=note,
        )
    services.capabilities_add_defaults(actor=actor, initiative=initiative)
    capabilities = {c.name: c for c in Capability.objects.filter(initiative=initiative)}
    for partner, ratings in spec["strengths"].items():
        services.strengths_rate(
            actor=actor,
            partner=_partner(initiative, partner),
            ratings={capabilities[name]: level for name, level in ratings.items()},
        )
    for key, title in (
        ("survey_closed", "Relationship survey, spring"),
        ("survey_open", "Relationship survey, autumn"),
    ):
        answers = spec.get(key)
        if not answers:
            continue
        survey = services.round_open(actor=actor, initiative=initiative, title=title)
        by_respondent: dict[str, list] = {}
        for respondent, about, level, trust, value in answers:
            by_respondent.setdefault(respondent, []).append(
                {
                    "about": _partner(initiative, about),
                    "collaboration": level,
                    **dict(zip(["reliability", "mission", "openness"], trust, strict=True)),
                    **dict(zip(["power", "involvement", "resources"], value, strict=True)),
                }
            )
        for respondent, rows in by_respondent.items():
            services.survey_answer(
                actor=actor,
                survey=survey,
                respondent=_partner(initiative, respondent),
                answers=rows,
            )
        if key == "survey_closed":
            services.round_close(actor=actor, survey=survey)
            SurveyRound.objects.filter(pk=survey.pk).update(
                opened_on=today - timedelta(days=200), closed_on=today - timedelta(days=170)
            )


def load(world) -> None:
    for initiative, actor, spec in (
        (
            world.company,
            world.users["backbone"],
            {
                "activities": COMPANY,
                "dependencies": COMPANY_DEPENDENCIES,
                "slip": COMPANY_SLIP,
                "reviews": COMPANY_REVIEWS,
                "coordinate": COMPANY_COORDINATE,
                "not_overlap": COMPANY_NOT_OVERLAP,
                "strengths": COMPANY_STRENGTHS,
                "survey_closed": COMPANY_SURVEY_CLOSED,
                "survey_open": COMPANY_SURVEY_OPEN,
            },
        ),
        (
            world.coalition,
            world.users["coalition"],
            {
                "activities": COALITION,
                "dependencies": COALITION_DEPENDENCIES,
                "reviews": COALITION_REVIEWS,
                "strengths": COALITION_STRENGTHS,
                "survey_closed": COALITION_SURVEY_CLOSED,
            },
        ),
    ):
        if Activity.objects.filter(initiative=initiative).exists():
            continue
        _load(world, initiative, actor, spec)
