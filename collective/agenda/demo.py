"""Demo data of the common agenda: for each demo initiative, v1 (superseded), v2 (adopted) and
v3 in consultation, with comments, amendments, concerns and support from several partners
and levels, and endorsements. Everything goes through the services.

Idempotent: an initiative that already has agenda versions is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from . import notify, services
from .choices import ItemKind, Section, Stance
from .models import AgendaVersion, ConsultationItem, Endorsement, OutcomeNode

# A tree is a list of (statement, parent statement, horizon, lead partner, co-partners).
COMPANY = {
    "actor": "backbone",
    "v1": {
        "title": "Launch agenda",
        "problem_statement": (
            "New customers wait **41 days** on average between signing and going live. Eight "
            "departments each hand work to the next by email and spreadsheet; nobody owns the "
            "whole journey, so every delay is someone else's.\n\n"
            "Slow onboarding is now the first reason customers give for leaving in year one."
        ),
        "vision": "Every new customer is live within 21 days of signing.",
        "principles": (
            "- **One onboarding, not eight.** We design the journey together, end to end.\n"
            "- **Data we all see.** Every department reports the same measures, openly.\n"
            "- **Fix the system, not the person.** Delays are signals, not blame."
        ),
        "rationale": "The first shared agenda, agreed at the kick-off workshop.",
        "learning": "Kick-off workshop with all eight department heads; churn interviews (Q4).",
        "tree": [
            ("Customers are live fast", None, "long", "Onboarding Operations", []),
            (
                "Hand-offs between departments are fast and complete",
                "Customers are live fast",
                "medium",
                "Onboarding Operations",
                ["Sales", "Customer Success"],
            ),
            (
                "Sales hand-off notes are complete at signing",
                "Hand-offs between departments are fast and complete",
                "short",
                "Sales",
                [],
            ),
            (
                "Technical set-up is ready within a week",
                "Customers are live fast",
                "medium",
                "Engineering",
                ["IT & Security"],
            ),
            (
                "Integrations are configured from a template",
                "Technical set-up is ready within a week",
                "short",
                "Integrations Team",
                [],
            ),
            (
                "Contracts and billing never block go-live",
                "Customers are live fast",
                "short",
                "Legal",
                ["Finance & Billing"],
            ),
        ],
        "endorse": [("lead", Stance.ENDORSED, ""), ("sam.sales", Stance.ENDORSED, "")],
    },
    "v2": {
        "title": "Value, not just live",
        "texts": {
            "vision": "Every new customer is live and getting value within 14 days of signing.",
            "principles": (
                "- **One onboarding, not eight.** We design the journey together, end to end.\n"
                "- **Data we all see.** Every department reports the same measures, openly.\n"
                "- **Fix the system, not the person.** Delays are signals, not blame.\n"
                "- **Listen to the frontline first.** The people who onboard customers every day "
                "see the problems before the dashboards do."
            ),
        },
        "rationale": (
            "v1 counted our own steps. Customers told us that being *live* is not the point — "
            "getting value is. v2 aims at 14 days to value, adds the security review (the "
            "longest single wait) and self-serve set-up, and folds billing into the hand-offs."
        ),
        "learning": (
            "Customer interviews in Q2 (18 customers); the onboarding retrospective with "
            "frontline staff; reporting showed security reviews averaging 11 working days."
        ),
        "edits": [
            ("reword", "Customers are live fast", "Customers are live and getting value fast"),
            (
                "reword",
                "Technical set-up is ready within a week",
                "Technical set-up is ready within five working days",
            ),
            (
                "add",
                "Security reviews finish within five working days",
                "Customers are live and getting value fast",
                "short",
                "IT & Security",
                ["Legal"],
            ),
            (
                "add",
                "Customers can do the first set-up steps themselves",
                "Customers are live and getting value fast",
                "medium",
                "Product",
                ["Customer Success"],
            ),
            (
                "add",
                "Billing is set up before the kick-off call",
                "Hand-offs between departments are fast and complete",
                "short",
                "Finance & Billing",
                [],
            ),
            ("remove", "Contracts and billing never block go-live"),
        ],
        "endorse": [
            ("lead", Stance.ENDORSED, ""),
            ("sam.sales", Stance.ENDORSED, ""),
            ("eng.mia", Stance.ENDORSED, ""),
            (
                "cs.amy",
                Stance.RESERVATIONS,
                "14 days is right for SMB customers; enterprise roll-outs across many sites "
                "need a separate target or we will game the number.",
            ),
        ],
    },
    "v3": {
        "title": "Enterprise and satisfaction",
        "edits": [
            (
                "add",
                "Customers rate their onboarding 8 out of 10 or better",
                "Customers are live and getting value fast",
                "medium",
                "Customer Success",
                ["Onboarding Operations"],
            ),
        ],
        "items": [
            (
                "contributor",
                ItemKind.AMENDMENT,
                Section.PROBLEM,
                "The hand-offs are the symptom; the cause is that nobody sees the whole "
                "journey. Say so.",
                "New customers wait **41 days** on average between signing and going live. "
                "Eight departments each hand work to the next by email and spreadsheet; nobody "
                "sees or owns the whole journey, so every delay is someone else's.\n\n"
                "Slow onboarding is now the first reason customers give for leaving in year one.",
                None,
                "",
                [("lead", "Agreed — this is what we hear on every kick-off call.")],
            ),
            (
                "cs.raj",
                ItemKind.CONCERN,
                "Security reviews finish within five working days",
                "Enterprise customers run their own security questionnaires; five days is "
                "outside our control for them.",
                "",
                None,
                "",
                [("it.zoe", "We could pre-fill the standard questionnaires — that would help.")],
            ),
            (
                "sam.sales",
                ItemKind.SUPPORT,
                Section.VISION,
                "Sales can promise this.",
                "",
                None,
                "",
                [],
            ),
            (
                "eng.tom",
                ItemKind.AMENDMENT,
                "Integrations are configured from a template",
                "A template for everything is not realistic; the ten most common CRMs cover "
                "90% of customers.",
                "Integrations for the ten most common CRMs are configured from a template",
                "accept",
                "Sharper and measurable; matches what the Integrations Team can deliver.",
                [],
            ),
            (
                "legal.ines",
                ItemKind.AMENDMENT,
                Section.PRINCIPLES,
                "Legal wants its review time protected.",
                "- **One onboarding, not eight.** We design the journey together, end to end.\n"
                "- **Data we all see.** Every department reports the same measures, openly.\n"
                "- **Fix the system, not the person.** Delays are signals, not blame.\n"
                "- **Listen to the frontline first.** The people who onboard customers every day "
                "see the problems before the dashboards do.\n"
                "- **Legal review takes the time it needs.**",
                "decline",
                "A principle should hold for every partner; the security outcome already "
                "protects review time. Let's set Legal's review target together instead.",
                [],
            ),
            (
                "lead",
                ItemKind.COMMENT,
                Section.VISION,
                "Can we define 'getting value' in one sentence? Each department reads it "
                "differently.",
                "",
                None,
                "",
                [
                    (
                        "prod.kim",
                        "Product proposes: the customer has completed their first real "
                        "workflow in the product.",
                    )
                ],
            ),
            (
                "it.zoe",
                ItemKind.SUPPORT,
                "Customers can do the first set-up steps themselves",
                "Self-serve SSO set-up would remove a whole meeting.",
                "",
                None,
                "",
                [],
            ),
            (
                "cs.amy",
                ItemKind.AMENDMENT,
                Section.VISION,
                "Split the target, as in our reservation on v2.",
                "Every new customer is live and getting value within 14 days of signing "
                "(30 days for multi-site enterprise roll-outs).",
                None,
                "",
                [],
            ),
        ],
    },
}

COALITION = {
    "actor": "coalition",
    "v1": {
        "title": "Founding agenda",
        "problem_statement": (
            "Young people aged 16–24 in our county become homeless when care ends, when "
            "families break down or when a tenancy fails. Most are not on the street: they "
            "sofa-surf, unseen by services, until a crisis.\n\n"
            "Agencies each see part of the story; none sees the young person's whole path."
        ),
        "vision": "No young person in our county sleeps rough.",
        "principles": (
            "- **Young people first.** Services fit young people, not the other way round.\n"
            "- **Share what we know.** With consent, agencies share data to act early.\n"
            "- **Act together.** No agency solves this alone."
        ),
        "rationale": "Agreed by the founding partners at the coalition launch.",
        "learning": "County youth homelessness count; the launch convening of ten partners.",
        "tree": [
            (
                "Youth homelessness is rare, brief and non-recurring",
                None,
                "long",
                "County Youth Services",
                [],
            ),
            (
                "Young people at risk are identified early",
                "Youth homelessness is rare, brief and non-recurring",
                "medium",
                "Unified School District",
                ["County Youth Services"],
            ),
            (
                "School counsellors screen for housing risk",
                "Young people at risk are identified early",
                "short",
                "Unified School District",
                [],
            ),
            (
                "Young people find a safe bed the same night",
                "Youth homelessness is rare, brief and non-recurring",
                "short",
                "Safe Harbor Shelter",
                ["Northside Youth Hostel", "Faith Community Network"],
            ),
            (
                "Young people move into stable housing within 30 days",
                "Youth homelessness is rare, brief and non-recurring",
                "medium",
                "City Housing Department",
                ["Legal Aid Society"],
            ),
        ],
        "endorse": [("city.dana", Stance.ENDORSED, ""), ("county.lee", Stance.ENDORSED, "")],
    },
    "v2": {
        "title": "Nothing about us without us",
        "texts": {
            "vision": (
                "No young person in our county sleeps rough or sofa-surfs for more than 30 days."
            ),
            "principles": (
                "- **Young people first.** Services fit young people, not the other way round.\n"
                "- **Nothing about us without us.** Young people with lived experience shape "
                "every decision.\n"
                "- **Share what we know.** With consent, agencies share data to act early.\n"
                "- **Act together.** No agency solves this alone."
            ),
        },
        "rationale": (
            "The Youth Advisory Council showed us that sofa-surfing *is* homelessness, and that "
            "a bed is not enough without an income to keep a home. v2 widens the vision and "
            "adds income as an outcome."
        ),
        "learning": (
            "Listening sessions with 40 young people run by the Youth Advisory Council; "
            "shelter exit data: a third of young people returned within six months."
        ),
        "edits": [
            (
                "reword",
                "Young people find a safe bed the same night",
                "Young people find a safe, youth-friendly bed the same night",
            ),
            (
                "add",
                "Young people have an income to keep their home",
                "Youth homelessness is rare, brief and non-recurring",
                "medium",
                "Workforce Board",
                ["Youth Advisory Council"],
            ),
        ],
        "endorse": [
            ("city.dana", Stance.ENDORSED, ""),
            ("yac.jordan", Stance.ENDORSED, ""),
            (
                "county.lee",
                Stance.RESERVATIONS,
                "Care leavers need their own outcome: they are a third of the young people we see.",
            ),
        ],
    },
    "v3": {
        "title": "Care leavers",
        "edits": [
            (
                "add",
                "Care leavers have a home before they leave care",
                "Young people at risk are identified early",
                "medium",
                "County Youth Services",
                ["City Housing Department"],
            ),
        ],
        "items": [
            (
                "yac.jordan",
                ItemKind.AMENDMENT,
                Section.VISION,
                "Young people said 'safe' matters more than 'not rough'.",
                "Every young person in our county has a safe place to live, and no one "
                "sofa-surfs for more than 30 days.",
                None,
                "",
                [("county.lee", "Strongly agree — it says what we want, not what we avoid.")],
            ),
            (
                "shelter.ana",
                ItemKind.CONCERN,
                "Young people find a safe, youth-friendly bed the same night",
                "On Friday nights we have no beds left for under-18s. Same night is not true "
                "today.",
                "",
                None,
                "",
                [
                    (
                        "coalition",
                        "Thank you — we will bring the weekend numbers to the next touchpoint.",
                    )
                ],
            ),
            (
                "school.ben",
                ItemKind.SUPPORT,
                "School counsellors screen for housing risk",
                "Counsellors already ask; a shared form would make it count.",
                "",
                None,
                "",
                [],
            ),
            (
                "city.dana",
                ItemKind.AMENDMENT,
                "Young people move into stable housing within 30 days",
                "Stable housing needs a definition everyone can measure.",
                "Young people move into a tenancy of six months or more within 30 days",
                "accept",
                "Measurable, and it matches the city's rapid rehousing data.",
                [],
            ),
            (
                "county.lee",
                ItemKind.COMMENT,
                "Care leavers have a home before they leave care",
                "Thank you for adding this. County will lead it.",
                "",
                None,
                "",
                [],
            ),
            (
                "shelter.ana",
                ItemKind.AMENDMENT,
                Section.PRINCIPLES,
                "Add trauma-informed practice.",
                "- **Young people first.** Services fit young people, not the other way round.\n"
                "- **Nothing about us without us.** Young people with lived experience shape "
                "every decision.\n"
                "- **Share what we know.** With consent, agencies share data to act early.\n"
                "- **Act together.** No agency solves this alone.\n"
                "- **Trauma-informed.** We ask what happened, not what is wrong.",
                "decline",
                "The coalition agrees with it, but it is a practice standard for each agency "
                "rather than a principle of the partnership; it goes into the shared practice "
                "guide.",
                [],
            ),
        ],
    },
}


def _node(version, statement) -> OutcomeNode:
    return OutcomeNode.objects.get(version=version, statement=statement)


def _revision(version) -> int:
    version.refresh_from_db(fields=["revision"])
    return version.revision


def _add(world, initiative, actor, version, statement, parent, horizon, lead, co):
    services.outcome_add(
        actor=actor,
        version=version,
        revision=_revision(version),
        statement=statement,
        parent=_node(version, parent) if parent else None,
        horizon=horizon,
        lead_partner=world.partner(initiative, lead) if lead else None,
        co_partners=[world.partner(initiative, name) for name in co],
    )


def _edit(world, initiative, actor, version, edit) -> None:
    if edit[0] == "reword":
        node = _node(version, edit[1])
        services.outcome_update(
            actor=actor, node=node, revision=_revision(version), statement=edit[2]
        )
    elif edit[0] == "add":
        _add(world, initiative, actor, version, *edit[1:])
    elif edit[0] == "remove":
        services.outcome_remove(
            actor=actor, node=_node(version, edit[1]), revision=_revision(version)
        )


def _endorse(world, initiative, version, endorsements) -> None:
    for username, stance, reservations in endorsements:
        user = world.users[username]
        membership = user.memberships.get(initiative=initiative)
        services.endorsement_record(
            actor=user,
            version=version,
            partner=membership.partner,
            stance=stance,
            reservations=reservations,
        )


def _target(version, target):
    if target in Section.values:
        return target, None
    return Section.OUTCOME, _node(version, target).outcome


def _load_initiative(world, initiative, spec) -> None:
    if AgendaVersion.objects.filter(initiative=initiative).exists():
        return
    actor = world.users[spec["actor"]]
    now = timezone.now()

    v1_spec = spec["v1"]
    v1 = services.agenda_draft_create(actor=actor, initiative=initiative, title=v1_spec["title"])
    services.agenda_update(
        actor=actor,
        version=v1,
        revision=v1.revision,
        problem_statement=v1_spec["problem_statement"],
        vision=v1_spec["vision"],
        principles=v1_spec["principles"],
    )
    for row in v1_spec["tree"]:
        _add(world, initiative, actor, v1, *row)
    services.agenda_adopt(
        actor=actor, version=v1, rationale=v1_spec["rationale"], learning=v1_spec["learning"]
    )
    _endorse(world, initiative, v1, v1_spec["endorse"])

    v2_spec = spec["v2"]
    v2 = services.agenda_draft_create(actor=actor, initiative=initiative, title=v2_spec["title"])
    services.agenda_update(actor=actor, version=v2, revision=v2.revision, **v2_spec["texts"])
    for edit in v2_spec["edits"]:
        _edit(world, initiative, actor, v2, edit)
    services.agenda_adopt(
        actor=actor, version=v2, rationale=v2_spec["rationale"], learning=v2_spec["learning"]
    )
    _endorse(world, initiative, v2, v2_spec["endorse"])

    v3_spec = spec["v3"]
    v3 = services.agenda_draft_create(actor=actor, initiative=initiative, title=v3_spec["title"])
    for edit in v3_spec["edits"]:
        _edit(world, initiative, actor, v3, edit)
    services.consultation_open(actor=actor, version=v3)
    v3.refresh_from_db()
    items = []
    for username, kind, target, body, proposed, decision, reason, replies in v3_spec["items"]:
        section, outcome = _target(v3, target)
        item = services.item_create(
            actor=world.users[username],
            version=v3,
            kind=kind,
            section=section,
            outcome=outcome,
            body=body,
            proposed_text=proposed,
        )
        items.append(item)
        for reply_user, reply_body in replies:
            items.append(
                services.item_create(
                    actor=world.users[reply_user],
                    version=v3,
                    kind=ItemKind.COMMENT,
                    body=reply_body,
                    parent=item,
                )
            )
        if decision:
            services.amendment_decide(
                actor=actor, item=item, accept=decision == "accept", reason=reason
            )

    # The history spans months: date the versions and contributions as they happened.
    days = timedelta(days=1)
    AgendaVersion.objects.filter(pk=v1.pk).update(
        created_at=now - 320 * days, adopted_at=now - 300 * days
    )
    AgendaVersion.objects.filter(pk=v2.pk).update(
        created_at=now - 150 * days,
        consultation_opened_at=None,
        adopted_at=now - 120 * days,
    )
    AgendaVersion.objects.filter(pk=v3.pk).update(
        created_at=now - 21 * days, consultation_opened_at=now - 14 * days
    )
    for version, ago in ((v1, 290), (v2, 110)):
        # updated_at too: the endorse page says when the stance was recorded.
        when = now - ago * days
        Endorsement.objects.filter(version=version).update(created_at=when, updated_at=when)
    for index, item in enumerate(items):
        ConsultationItem.objects.filter(pk=item.pk).update(
            created_at=now - timedelta(days=13) + index * timedelta(hours=20)
        )


def load(world) -> None:
    with notify.muted():
        _load_initiative(world, world.company, COMPANY)
        _load_initiative(world, world.coalition, COALITION)
