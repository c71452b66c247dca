"""Demo data of the core: two initiatives, their partner trees and people in every role.

Idempotent: objects are looked up by their natural keys and created through the services
only when missing. Later conditions add their own `demo.py` and read `DemoWorld` from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from . import services
from .choices import Level, PartnerKind, Role, Stage, Visibility
from .models import Initiative, Membership, Partner

User = get_user_model()
DEMO_PASSWORD = "demo-password"

COMPANY = {
    "slug": "faster-onboarding",
    "name": "Faster Customer Onboarding",
    "purpose": "Every new customer is live and getting value within 14 days of signing — "
    "down from 41 — through eight departments working as one.",
    "visibility": Visibility.MEMBERS,
    "stage": Stage.MIDDLE,
    # (name, short, kind, parent, strengths)
    "partners": [
        (
            "Transformation Office",
            "TO",
            PartnerKind.TEAM,
            None,
            "Facilitation, programme management, neutral convening.",
        ),
        (
            "Sales",
            "Sales",
            PartnerKind.DEPARTMENT,
            None,
            "Knows each customer's goals before signing; sets expectations.",
        ),
        (
            "Customer Success",
            "CS",
            PartnerKind.DEPARTMENT,
            None,
            "Relationships with customers after signing; adoption coaching.",
        ),
        (
            "Enterprise Success",
            "CS-Ent",
            PartnerKind.TEAM,
            "Customer Success",
            "Complex multi-site roll-outs.",
        ),
        (
            "SMB Success",
            "CS-SMB",
            PartnerKind.TEAM,
            "Customer Success",
            "High-volume, low-touch onboarding.",
        ),
        (
            "Onboarding Operations",
            "OnbOps",
            PartnerKind.DEPARTMENT,
            None,
            "Runs the onboarding playbook, scheduling and hand-offs.",
        ),
        (
            "Product",
            "Product",
            PartnerKind.DEPARTMENT,
            None,
            "Self-serve set-up flows, in-product guidance.",
        ),
        (
            "Engineering",
            "Eng",
            PartnerKind.DEPARTMENT,
            None,
            "Integrations, data migration tooling.",
        ),
        (
            "Integrations Team",
            "Eng-Int",
            PartnerKind.TEAM,
            "Engineering",
            "Connectors to customers' CRMs and ERPs.",
        ),
        (
            "Platform Team",
            "Eng-Plat",
            PartnerKind.TEAM,
            "Engineering",
            "Provisioning, environments, reliability.",
        ),
        (
            "Legal",
            "Legal",
            PartnerKind.DEPARTMENT,
            None,
            "Contract templates, data-processing agreements.",
        ),
        (
            "Finance & Billing",
            "Fin",
            PartnerKind.DEPARTMENT,
            None,
            "Billing set-up, invoicing accuracy.",
        ),
        (
            "IT & Security",
            "IT",
            PartnerKind.DEPARTMENT,
            None,
            "Security reviews, single sign-on set-up.",
        ),
    ],
    # (username, display name, function, level, role, partner)
    "people": [
        (
            "backbone",
            "Bea Backbone",
            "Transformation Office",
            Level.MANAGER,
            Role.BACKBONE,
            "Transformation Office",
        ),
        (
            "lead",
            "Leo Lead",
            "Onboarding Operations",
            Level.MANAGER,
            Role.PARTNER_LEAD,
            "Onboarding Operations",
        ),
        (
            "contributor",
            "Cora Contributor",
            "Onboarding Operations",
            Level.FRONTLINE,
            Role.CONTRIBUTOR,
            "Onboarding Operations",
        ),
        ("viewer", "Vic Viewer", "Executive team", Level.EXECUTIVE, Role.VIEWER, None),
        ("sam.sales", "Sam Okafor", "Sales", Level.MANAGER, Role.PARTNER_LEAD, "Sales"),
        (
            "cs.amy",
            "Amy Chen",
            "Customer Success",
            Level.MANAGER,
            Role.PARTNER_LEAD,
            "Customer Success",
        ),
        (
            "cs.raj",
            "Raj Patel",
            "Enterprise Success",
            Level.STAFF,
            Role.CONTRIBUTOR,
            "Enterprise Success",
        ),
        ("eng.mia", "Mia Novak", "Engineering", Level.MANAGER, Role.PARTNER_LEAD, "Engineering"),
        (
            "eng.tom",
            "Tom Weber",
            "Integrations Team",
            Level.STAFF,
            Role.CONTRIBUTOR,
            "Integrations Team",
        ),
        ("legal.ines", "Inès Laurent", "Legal", Level.STAFF, Role.PARTNER_LEAD, "Legal"),
        (
            "fin.olu",
            "Olu Adeyemi",
            "Finance & Billing",
            Level.STAFF,
            Role.PARTNER_LEAD,
            "Finance & Billing",
        ),
        ("prod.kim", "Kim Larsen", "Product", Level.MANAGER, Role.PARTNER_LEAD, "Product"),
        ("it.zoe", "Zoe Martin", "IT & Security", Level.STAFF, Role.CONTRIBUTOR, "IT & Security"),
    ],
}

COALITION = {
    "slug": "youth-housing",
    "name": "Youth Housing Stability Coalition",
    "purpose": "No young person aged 16–24 in our county sleeps rough or sofa-surfs for more "
    "than 30 days, because agencies, schools and communities act together.",
    "visibility": Visibility.PUBLIC,
    "stage": Stage.EARLY,
    "partners": [
        (
            "United Way Backbone Team",
            "Backbone",
            PartnerKind.TEAM,
            None,
            "Convening, data, facilitation.",
        ),
        (
            "City Housing Department",
            "City",
            PartnerKind.DEPARTMENT,
            None,
            "Housing vouchers, rapid rehousing funds.",
        ),
        (
            "County Youth Services",
            "County",
            PartnerKind.ORGANISATION,
            None,
            "Case management, care leavers.",
        ),
        (
            "Safe Harbor Shelter",
            "Safe Harbor",
            PartnerKind.ORGANISATION,
            None,
            "Emergency beds, 24/7 intake.",
        ),
        (
            "Northside Youth Hostel",
            "Northside",
            PartnerKind.ORGANISATION,
            "Safe Harbor Shelter",
            "Transitional housing for 18–24.",
        ),
        (
            "Unified School District",
            "Schools",
            PartnerKind.ORGANISATION,
            None,
            "Early identification through school counsellors.",
        ),
        (
            "Legal Aid Society",
            "Legal Aid",
            PartnerKind.ORGANISATION,
            None,
            "Eviction defence, tenancy rights.",
        ),
        (
            "Workforce Board",
            "Workforce",
            PartnerKind.ORGANISATION,
            None,
            "Paid apprenticeships, job placement.",
        ),
        (
            "Youth Advisory Council",
            "YAC",
            PartnerKind.COMMUNITY_GROUP,
            None,
            "Lived experience; reaching young people agencies miss.",
        ),
        (
            "Faith Community Network",
            "Faith",
            PartnerKind.COMMUNITY_GROUP,
            None,
            "Host homes, volunteers, trusted neighbourhood presence.",
        ),
    ],
    "people": [
        (
            "coalition",
            "Cole Coalition",
            "United Way",
            Level.MANAGER,
            Role.BACKBONE,
            "United Way Backbone Team",
        ),
        (
            "city.dana",
            "Dana Ruiz",
            "City Housing",
            Level.MANAGER,
            Role.PARTNER_LEAD,
            "City Housing Department",
        ),
        (
            "county.lee",
            "Lee Park",
            "County Youth Services",
            Level.FRONTLINE,
            Role.PARTNER_LEAD,
            "County Youth Services",
        ),
        (
            "shelter.ana",
            "Ana Silva",
            "Safe Harbor Shelter",
            Level.FRONTLINE,
            Role.CONTRIBUTOR,
            "Safe Harbor Shelter",
        ),
        (
            "school.ben",
            "Ben Carter",
            "School counselling",
            Level.STAFF,
            Role.CONTRIBUTOR,
            "Unified School District",
        ),
        (
            "yac.jordan",
            "Jordan Blake",
            "Youth Advisory Council",
            Level.COMMUNITY,
            Role.PARTNER_LEAD,
            "Youth Advisory Council",
        ),
        ("funder.pat", "Pat Morgan", "County Foundation", Level.EXECUTIVE, Role.VIEWER, None),
        # The company's viewer also sits on the coalition's board, so the switcher has two.
        ("viewer", None, None, None, Role.VIEWER, None),
    ],
}


@dataclass
class DemoWorld:
    company: Initiative
    coalition: Initiative
    users: dict[str, User] = field(default_factory=dict)

    def partner(self, initiative: Initiative, name: str) -> Partner:
        return Partner.objects.get(initiative=initiative, name=name)


def _user(username, display_name, function, level) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            username=username,
            email=f"{username}@demo.collective.local",
            password=DEMO_PASSWORD,
            display_name=display_name or username,
            function=function or "",
            level=level or "",
        )
    return user


def _initiative(spec: dict, creator: User) -> Initiative:
    initiative = Initiative.objects.filter(slug=spec["slug"]).first()
    if initiative is None:
        initiative = services.initiative_create(
            actor=creator,
            name=spec["name"],
            slug=spec["slug"],
            purpose=spec["purpose"],
            visibility=spec["visibility"],
            stage=spec["stage"],
        )
    for name, short, kind, parent_name, strengths in spec["partners"]:
        if Partner.objects.filter(initiative=initiative, name=name).exists():
            continue
        parent = (
            Partner.objects.get(initiative=initiative, name=parent_name) if parent_name else None
        )
        services.partner_create(
            actor=creator,
            initiative=initiative,
            name=name,
            short_name=short,
            kind=kind,
            parent=parent,
            strengths=strengths,
            description=f"{name} takes part in {initiative.name}.",
        )
    for username, display, function, level, role, partner_name in spec["people"]:
        user = _user(username, display, function, level)
        partner = (
            Partner.objects.get(initiative=initiative, name=partner_name) if partner_name else None
        )
        membership = Membership.objects.filter(initiative=initiative, user=user).first()
        if membership is None:
            Membership.objects.create(initiative=initiative, user=user, role=role, partner=partner)
        elif (membership.role, membership.partner_id) != (role, partner and partner.pk):
            services.membership_update(
                actor=creator, membership=membership, role=role, partner=partner
            )
    return initiative


def load() -> DemoWorld:
    backbone = _user("backbone", "Bea Backbone", "Transformation Office", Level.MANAGER)
    coalition = _user("coalition", "Cole Coalition", "United Way", Level.MANAGER)
    world = DemoWorld(
        company=_initiative(COMPANY, backbone),
        coalition=_initiative(COALITION, coalition),
    )
    world.users = {u.username: u for u in User.objects.all()}
    return world


LOGINS = [
    ("backbone", "backbone of Faster Customer Onboarding (company)"),
    ("lead", "partner lead of Onboarding Operations (company)"),
    ("contributor", "contributor for Onboarding Operations (company)"),
    ("viewer", "viewer of the company initiative (and of the coalition)"),
    ("coalition", "backbone of Youth Housing Stability Coalition (community)"),
]
