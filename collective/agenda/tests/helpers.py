"""Builders shared by the agenda tests: versions with trees, through the services."""

from __future__ import annotations

from collective.agenda import services
from collective.agenda.choices import ItemKind, Section


def draft_with_tree(world, *, title="First agenda"):
    """A draft with a problem, a vision and goal → outcome → sub-outcome."""
    backbone = world.users["backbone"]
    version = services.agenda_draft_create(actor=backbone, initiative=world.initiative, title=title)
    services.agenda_update(
        actor=backbone,
        version=version,
        revision=version.revision,
        problem_statement="Customers wait too long to go live.",
        vision="Every customer is live within 14 days.",
        principles="- We share data openly\n- We decide together",
    )
    goal = services.outcome_add(
        actor=backbone,
        version=version,
        revision=version.revision,
        statement="Customers go live fast",
    )
    outcome = services.outcome_add(
        actor=backbone,
        version=version,
        revision=version.revision,
        statement="Hand-offs take less than a day",
        parent=goal,
        lead_partner=world.partner,
        co_partners=[world.other_partner],
        horizon="short",
    )
    sub = services.outcome_add(
        actor=backbone,
        version=version,
        revision=version.revision,
        statement="Sales notes reach Operations",
        parent=outcome,
    )
    return version, goal, outcome, sub


def adopted_version(world):
    version, _goal, _outcome, _sub = draft_with_tree(world)
    services.agenda_adopt(actor=world.users["backbone"], version=version, rationale="First one.")
    return version


def in_consultation(world):
    """v1 adopted, v2 in consultation (copied from v1)."""
    adopted_version(world)
    backbone = world.users["backbone"]
    draft = services.agenda_draft_create(
        actor=backbone, initiative=world.initiative, title="Second"
    )
    services.consultation_open(actor=backbone, version=draft)
    return draft


def amendment(world, version, *, section=Section.VISION, text="Every customer is live in 10 days."):
    return services.item_create(
        actor=world.users["contributor"],
        version=version,
        kind=ItemKind.AMENDMENT,
        section=section,
        proposed_text=text,
        body="Ten days is what customers ask for.",
    )
