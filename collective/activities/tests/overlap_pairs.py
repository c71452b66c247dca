"""A labelled set of activity pairs for overlap detection: True = the same work done twice
(an overlap to coordinate), False = different work (including near misses that share words).

Each side: (title + description, outcome keys, start month, end month) of 2026. The pairs come
from the kinds of initiatives Collective serves (a company's onboarding, a housing coalition,
public health, education).
"""

PAIRS = [
    # --- Overlaps -------------------------------------------------------------------------
    (
        (
            "Customer kick-off call script. A shared script for the first call with "
            "a new customer: "
            "goals, go-live date, who does what.",
            {"handoff"},
            1,
            6,
        ),
        (
            "Kick-off meeting script for new customers. Script for the kick-off meeting: goals, "
            "go-live date, responsibilities.",
            {"handoff"},
            2,
            7,
        ),
        True,
    ),
    (
        (
            "Volunteer host families offering short stays to homeless youth while a "
            "housing plan is "
            "made.",
            {"bed"},
            1,
            12,
        ),
        (
            "Emergency host homes: volunteers host homeless young people in their homes for short "
            "stays.",
            {"bed"},
            3,
            12,
        ),
        True,
    ),
    (
        (
            "Integration templates for the top CRMs: ready-made configuration for common CRMs.",
            {"integrations"},
            1,
            6,
        ),
        (
            "CRM connector templates so integrations start from a configuration template.",
            {"integrations"},
            2,
            8,
        ),
        True,
    ),
    (
        (
            "Weekly food parcels for families in the north district, delivered by volunteers.",
            {"food"},
            1,
            12,
        ),
        (
            "Volunteer delivery of food parcels to families in north district every week.",
            {"food"},
            1,
            12,
        ),
        True,
    ),
    (
        ("Train school counsellors to screen pupils for housing risk.", {"early"}, 1, 4),
        ("Housing risk screening training for school counsellors.", {"early"}, 2, 5),
        True,
    ),
    (
        ("Eviction prevention legal clinic for young tenants every Tuesday.", {"stable"}, 1, 12),
        ("Weekly legal clinic defending young tenants against eviction.", {"stable"}, 1, 12),
        True,
    ),
    (
        ("Mobile vaccination van visiting rural villages monthly.", {"vaccination"}, 1, 12),
        (
            "Monthly vaccination clinics in rural villages from a mobile van.",
            {"vaccination"},
            4,
            12,
        ),
        True,
    ),
    (
        (
            "Single onboarding tracker shared by all departments instead of spreadsheets.",
            {"handoff"},
            1,
            6,
        ),
        (
            "Shared onboarding tracker replacing department spreadsheets and email.",
            {"handoff"},
            3,
            9,
        ),
        True,
    ),
    (
        ("After-school maths tutoring for year 9 pupils at risk of failing.", {"attainment"}, 1, 7),
        ("Maths tutoring after school for struggling year 9 pupils.", {"attainment"}, 2, 7),
        True,
    ),
    (
        ("Security questionnaire answer library with pre-approved answers.", {"security"}, 3, 9),
        (
            "Library of pre-approved answers to customer security questionnaires.",
            {"security"},
            4,
            10,
        ),
        True,
    ),
    (
        (
            "Peer mentoring by young people with lived experience of homelessness.",
            {"stable"},
            1,
            12,
        ),
        (
            "Mentoring scheme pairing youth with peers who experienced homelessness.",
            {"stable"},
            5,
            12,
        ),
        True,
    ),
    (
        ("Billing set-up checklist completed before the kick-off call.", {"billing"}, 2, 4),
        ("Checklist for setting up customer billing before kick-off.", {"billing"}, 2, 5),
        True,
    ),
    # --- Not overlaps (near misses share words or outcomes) -------------------------------
    (
        ("Training for account executives on writing hand-off notes.", {"notes"}, 1, 2),
        ("Training for support staff on security questionnaires.", {"security"}, 5, 6),
        False,
    ),
    (
        (
            "Onboarding webinars for small customers on the first set-up steps.",
            {"selfserve"},
            1,
            12,
        ),
        ("In-app set-up guide: step-by-step help inside the product.", {"selfserve"}, 1, 12),
        False,
    ),
    (
        (
            "Standard security evidence pack: certifications and pen-test summary.",
            {"security"},
            1,
            3,
        ),
        (
            "Standard data-processing agreement customers sign without negotiation.",
            {"security"},
            1,
            6,
        ),
        False,
    ),
    (
        ("Rapid rehousing vouchers for 18–24 year olds.", {"stable"}, 1, 12),
        ("Eviction defence clinic for young tenants.", {"stable"}, 1, 12),
        False,
    ),
    (
        ("Paid apprenticeships for young people in housing support.", {"income"}, 1, 12),
        ("Volunteer host families for homeless youth.", {"bed"}, 1, 12),
        False,
    ),
    (
        ("Monthly cross-department onboarding review with department heads.", {"live"}, 1, 12),
        ("Automated data migration checks before go-live.", {"technical"}, 1, 6),
        False,
    ),
    (
        ("Youth voice in service design: young people review new services.", {"rare"}, 1, 12),
        ("Shared youth housing data dashboard for all partners.", {"rare"}, 1, 12),
        False,
    ),
    (
        ("Food parcels for families in the north district.", {"food"}, 1, 12),
        ("Cooking classes for parents in the north district.", {"nutrition"}, 1, 12),
        False,
    ),
    (
        ("Mobile vaccination van visiting rural villages.", {"vaccination"}, 1, 12),
        ("Mobile library van visiting rural villages.", {"literacy"}, 1, 12),
        False,
    ),
    (
        ("After-school maths tutoring for year 9.", {"attainment"}, 1, 7),
        ("After-school football club for year 9.", {"wellbeing"}, 1, 7),
        False,
    ),
    (
        ("Case management for care leavers from age 16.", {"early"}, 1, 12),
        ("24/7 youth intake line finding a bed the same night.", {"bed"}, 1, 12),
        False,
    ),
    (
        ("Integration templates for the top CRMs.", {"integrations"}, 1, 6),
        ("Billing set-up checklist for new customers.", {"billing"}, 1, 6),
        False,
    ),
    (
        ("Safeguarding training for volunteer hosts.", {"bed"}, 1, 2),
        ("Safeguarding policy review by the board.", {"rare"}, 9, 10),
        False,
    ),
    (
        ("Outreach to rough sleepers at night with hot drinks.", {"bed"}, 1, 12),
        ("Night shelter staffing rota for winter.", {"bed"}, 10, 12),
        False,
    ),
]
