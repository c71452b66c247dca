"""Services of the common agenda: versions, tree, consultation, endorsements, voices."""

from __future__ import annotations

import pytest
from django.core import mail

from collective.agenda import selectors, services
from collective.agenda.choices import ItemKind, ItemStatus, Section, Stance, VersionStatus
from collective.agenda.models import AgendaVersion, Outcome
from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent

from .helpers import adopted_version, amendment, draft_with_tree, in_consultation

pytestmark = pytest.mark.django_db


def test_draft_tree_and_outcome_titles_follow_the_draft(world):
    version, goal, _outcome, _sub = draft_with_tree(world)
    tree = selectors.outcome_tree(version)
    assert [(n.statement, n.depth, n.kind) for n in tree] == [
        ("Customers go live fast", 0, "goal"),
        ("Hand-offs take less than a day", 1, "outcome"),
        ("Sales notes reach Operations", 2, "sub_outcome"),
    ]
    assert Outcome.objects.get(pk=goal.outcome_id).title == "Customers go live fast"
    choices = selectors.outcome_choices(world.initiative)
    assert [(o.title, d) for o, d in choices] == [(n.statement, n.depth) for n in tree]
    assert version.revision == 5  # one text save and three outcomes


def test_new_draft_copies_the_adopted_version_and_keeps_uids(world):
    v1 = adopted_version(world)
    v2 = services.agenda_draft_create(actor=world.users["backbone"], initiative=world.initiative)
    assert v2.number == 2 and v2.based_on == v1 and v2.status == VersionStatus.DRAFT
    assert v2.vision == v1.vision
    uids1 = [n.outcome.uid for n in selectors.outcome_tree(v1)]
    tree2 = selectors.outcome_tree(v2)
    assert [n.outcome.uid for n in tree2] == uids1
    assert tree2[1].lead_partner == world.partner
    assert list(tree2[1].co_partners.all()) == [world.other_partner]
    assert tree2[2].parent_id == tree2[1].pk


def test_only_one_working_version(world):
    draft_with_tree(world)
    with pytest.raises(ApplicationError, match="already a draft"):
        services.agenda_draft_create(actor=world.users["backbone"], initiative=world.initiative)


def test_stale_revision_is_refused_and_nothing_is_overwritten(world):
    version, *_ = draft_with_tree(world)
    seen = version.revision
    first = AgendaVersion.objects.get(pk=version.pk)
    services.agenda_update(
        actor=world.users["backbone"], version=first, revision=seen, vision="Theirs"
    )
    second = AgendaVersion.objects.get(pk=version.pk)
    with pytest.raises(ApplicationError) as exc:
        services.agenda_update(
            actor=world.users["backbone"], version=second, revision=seen, vision="Mine"
        )
    assert exc.value.code == "stale"
    assert "Someone else saved this draft" in exc.value.message
    assert AgendaVersion.objects.get(pk=version.pk).vision == "Theirs"


def test_adopting_without_outcomes_is_refused(world):
    version = services.agenda_draft_create(
        actor=world.users["backbone"], initiative=world.initiative
    )
    with pytest.raises(ApplicationError) as exc:
        services.agenda_adopt(actor=world.users["backbone"], version=version)
    assert exc.value.code == "no_outcomes"
    assert AgendaVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT


def test_adopting_supersedes_and_retires_dropped_outcomes(world):
    v1 = adopted_version(world)
    backbone = world.users["backbone"]
    v2 = services.agenda_draft_create(actor=backbone, initiative=world.initiative)
    sub = selectors.outcome_tree(v2)[2]
    services.outcome_remove(actor=backbone, node=sub, revision=v2.revision)
    v2.refresh_from_db()
    services.agenda_adopt(actor=backbone, version=v2, rationale="Simpler", learning="Feedback")
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    assert v2.status == VersionStatus.ADOPTED and v2.adopted_by == backbone
    assert Outcome.objects.get(pk=sub.outcome_id).retired  # kept for history
    assert len(selectors.outcome_choices(world.initiative)) == 2
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"adopted", "superseded", "removed outcome", "created"} <= verbs


def test_tree_move_reorder_and_depth_limit(world):
    version, goal, outcome, sub = draft_with_tree(world)
    backbone = world.users["backbone"]
    second = services.outcome_add(
        actor=backbone, version=version, revision=version.revision, statement="B", parent=goal
    )
    services.outcome_move(actor=backbone, node=second, revision=version.revision, direction="up")
    assert [n.statement for n in selectors.outcome_tree(version) if n.depth == 1] == [
        "B",
        "Hand-offs take less than a day",
    ]
    with pytest.raises(ApplicationError, match="deeper"):
        services.outcome_move(actor=backbone, node=second, revision=version.revision, parent=sub)
    with pytest.raises(ApplicationError, match="deeper"):
        services.outcome_move(
            actor=backbone, node=outcome, revision=version.revision, parent=second
        )
    with pytest.raises(ApplicationError, match="itself"):
        services.outcome_move(actor=backbone, node=goal, revision=version.revision, parent=outcome)
    services.outcome_move(actor=backbone, node=sub, revision=version.revision, parent=second)
    sub.refresh_from_db()
    assert sub.parent == second and sub.kind == "sub_outcome"
    services.outcome_move(actor=backbone, node=sub, revision=version.revision, parent=goal)
    sub.refresh_from_db()
    assert sub.kind == "outcome"
    with pytest.raises(ApplicationError, match="has sub-outcomes"):
        services.outcome_remove(actor=backbone, node=goal, revision=version.revision)


def test_bad_outcome_input_gets_clear_messages(world):
    version, *_ = draft_with_tree(world)
    backbone = world.users["backbone"]
    with pytest.raises(ApplicationError) as exc:
        services.outcome_add(
            actor=backbone, version=version, revision=version.revision, statement=" "
        )
    assert exc.value.errors == {"statement": ["Required."]}
    with pytest.raises(ApplicationError) as exc:
        services.outcome_add(
            actor=backbone,
            version=version,
            revision=version.revision,
            statement="x",
            horizon="forever",
        )
    assert "horizon" in exc.value.errors
    from tests.factories import make_partner

    foreign = make_partner(world.other, "Elsewhere")
    with pytest.raises(ApplicationError) as exc:
        services.outcome_add(
            actor=backbone,
            version=version,
            revision=version.revision,
            statement="x",
            lead_partner=foreign,
        )
    assert "lead_partner" in exc.value.errors


def test_amendment_accepted_applies_text_and_tells_the_author(
    world, django_capture_on_commit_callbacks
):
    version = in_consultation(world)
    item = amendment(world, version)
    assert item.base_text == "Every customer is live within 14 days."
    revision = version.revision
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.amendment_decide(
            actor=world.users["backbone"], item=item, accept=True, reason="Customers asked for it."
        )
    version.refresh_from_db()
    assert version.vision == "Every customer is live in 10 days."
    assert version.revision == revision + 1
    assert item.status == ItemStatus.ACCEPTED
    assert any("accepted" in m.subject for m in mail.outbox)
    assert mail.outbox[-1].to == [world.users["contributor"].email]
    with pytest.raises(ApplicationError, match="already accepted"):
        services.amendment_decide(
            actor=world.users["backbone"], item=item, accept=False, reason="x"
        )


def test_amendment_to_an_outcome_and_decline(world):
    version = in_consultation(world)
    node = selectors.outcome_tree(version)[1]
    item = services.item_create(
        actor=world.users["lead"],
        version=version,
        kind=ItemKind.AMENDMENT,
        section=Section.OUTCOME,
        outcome=node.outcome,
        proposed_text="Hand-offs take less than four hours",
    )
    with pytest.raises(ApplicationError) as exc:
        services.amendment_decide(actor=world.users["backbone"], item=item, accept=False, reason="")
    assert "reason" in exc.value.errors
    services.amendment_decide(
        actor=world.users["backbone"], item=item, accept=True, reason="Ambitious, fine."
    )
    node.refresh_from_db()
    assert node.statement == "Hand-offs take less than four hours"
    assert node.outcome.title == "Hand-offs take less than a day"  # adopted wording stays


def test_consultation_items_validation(world, django_capture_on_commit_callbacks):
    version = in_consultation(world)
    contributor = world.users["contributor"]
    with pytest.raises(ApplicationError) as exc:
        services.item_create(actor=contributor, version=version, kind="comment", section="vision")
    assert exc.value.errors == {"body": ["Required."]}
    with pytest.raises(ApplicationError, match="same as the current text"):
        amendment(world, version, text="Every customer is live within 14 days.")
    with pytest.raises(ApplicationError):
        services.item_create(
            actor=contributor, version=version, kind="shout", section="vision", body="x"
        )
    with pytest.raises(ApplicationError, match="outcome of this version"):
        services.item_create(
            actor=contributor, version=version, kind="comment", section="outcome", body="x"
        )
    top = services.item_create(
        actor=contributor, version=version, kind="concern", section="vision", body="Too fast?"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.item_create(
            actor=world.users["lead"], version=version, kind="comment", body="Agreed", parent=top
        )
    assert reply.section == "vision" and reply.parent == top
    assert mail.outbox and mail.outbox[-1].to == [contributor.email]
    support = services.item_create(
        actor=contributor, version=version, kind="support", section="problem_statement"
    )
    assert support.partner == world.partner


def test_amending_a_closed_consultation_is_refused(world):
    version = in_consultation(world)
    services.consultation_close(actor=world.users["backbone"], version=version)
    with pytest.raises(ApplicationError) as exc:
        amendment(world, version)
    assert exc.value.code == "closed"
    assert "consultation on this version is closed" in exc.value.message


def test_closing_summarises_what_changed_and_why(world):
    version = in_consultation(world)
    accepted = amendment(world, version)
    declined = amendment(world, version, section=Section.PROBLEM, text="Nobody owns onboarding.")
    amendment(world, version, section=Section.PRINCIPLES, text="We listen first.")
    services.item_create(
        actor=world.users["lead"], version=version, kind="concern", section="vision", body="Hm"
    )
    backbone = world.users["backbone"]
    services.amendment_decide(actor=backbone, item=accepted, accept=True, reason="Clearer goal.")
    services.amendment_decide(actor=backbone, item=declined, accept=False, reason="Too narrow.")
    services.consultation_close(actor=backbone, version=version)
    version.refresh_from_db()
    summary = version.consultation_summary
    assert version.status == VersionStatus.DRAFT and version.consultation_closed_at
    assert "Accepted amendments (1)" in summary and "Clearer goal." in summary
    assert "Declined amendments (1)" in summary and "Too narrow." in summary
    assert "not decided" in summary
    assert "| Vision | 0 | 1 | 0 | 1 |" in summary


def test_endorsement_by_the_partner_lead_only(world):
    version = adopted_version(world)
    lead = world.users["lead"]
    with pytest.raises(ApplicationError) as exc:
        services.endorsement_record(
            actor=lead, version=version, partner=world.partner, stance=Stance.RESERVATIONS
        )
    assert "reservations" in exc.value.errors
    e = services.endorsement_record(
        actor=lead,
        version=version,
        partner=world.partner,
        stance=Stance.RESERVATIONS,
        reservations="Hand-off target is tight.",
    )
    assert e.stance == Stance.RESERVATIONS
    services.endorsement_record(
        actor=lead, version=version, partner=world.partner, stance=Stance.ENDORSED
    )
    grid = selectors.endorsement_grid(world.initiative)
    assert grid.endorsed == 1 and grid.partners == 3
    with pytest.raises(ApplicationError, match="Only the lead of Sales"):
        services.endorsement_record(
            actor=lead, version=version, partner=world.other_partner, stance=Stance.ENDORSED
        )
    draft = services.agenda_draft_create(actor=world.users["backbone"], initiative=world.initiative)
    with pytest.raises(ApplicationError, match="Only the adopted version"):
        services.endorsement_record(
            actor=lead, version=draft, partner=world.partner, stance=Stance.ENDORSED
        )


def test_voices_and_nudge(world, django_capture_on_commit_callbacks):
    from collective.core.choices import Role
    from tests.factories import UserFactory, add_member

    version = in_consultation(world)
    sales = add_member(
        world.initiative,
        UserFactory(username="sal"),
        role=Role.CONTRIBUTOR,
        partner=world.other_partner,
    )
    sales.level = "frontline"
    sales.function = "Sales"
    sales.save()
    amendment(world, version)
    v = selectors.voices(version)
    assert v.people_in == 4  # backbone, lead, contributor, sal (the viewer cannot take part)
    assert v.people_heard == 1
    # Ops Team North has nobody in the initiative yet: it is listed too, to be invited.
    assert [(r.label, r.members) for r in v.unheard_partners] == [
        ("Ops Team North", 0),
        ("Sales", 1),
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.voices_nudge(
            actor=world.users["backbone"], version=version, partner=world.other_partner
        )
    assert sent == 1 and mail.outbox[-1].to == [sales.email]
    sent = services.voices_nudge(actor=world.users["backbone"], version=version, level="frontline")
    assert sent == 1
    with pytest.raises(ApplicationError):
        services.voices_nudge(actor=world.users["backbone"], version=version)
    with pytest.raises(ApplicationError, match="not a level"):
        services.voices_nudge(actor=world.users["backbone"], version=version, level="boss")


def test_summary_says_what_the_text_became_and_how_the_draft_moved_on(world):
    from collective.core.markdown import render_markdown

    version = in_consultation(world)
    backbone = world.users["backbone"]
    accepted = amendment(world, version, text="Every customer is live in *10* days | fast.")
    services.amendment_decide(actor=backbone, item=accepted, accept=True, reason="Clearer.")
    goal = selectors.outcome_tree(version)[0]
    version.refresh_from_db()
    services.outcome_add(
        actor=backbone,
        version=version,
        revision=version.revision,
        statement="Customers <b>recommend</b> us",
        parent=goal,
    )
    services.consultation_close(actor=backbone, version=version)
    summary = version.consultation_summary
    assert "now reads “Every customer is live in \\*10\\* days \\| fast.”" in summary
    assert "**The draft compared with v1**" in summary
    assert "Outcomes added (1): “Customers &lt;b&gt;recommend&lt;/b&gt; us”" in summary
    assert "Text changed: vision" in summary
    assert "1 contribution from 1 person and 1 partner." in summary
    html = render_markdown(summary)
    # User text reads literally: no emphasis, no HTML, and the table keeps its columns.
    assert "<em>10</em>" not in html and "<b>" not in html
    assert "Customers &lt;b&gt;recommend&lt;/b&gt; us" in html
    assert "<td>Vision</td>" in html


def test_support_is_counted_once_per_person_and_part(world):
    version = in_consultation(world)
    contributor = world.users["contributor"]
    services.item_create(actor=contributor, version=version, kind="support", section="vision")
    with pytest.raises(ApplicationError) as exc:
        services.item_create(actor=contributor, version=version, kind="support", section="vision")
    assert exc.value.code == "duplicate"
    # Another part, or another person, is a new voice of support.
    services.item_create(actor=contributor, version=version, kind="support", section="principles")
    lead = world.users["lead"]
    services.item_create(actor=lead, version=version, kind="support", section="vision")
    assert version.consultation_items.filter(kind="support").count() == 3


def test_oversized_text_is_refused_per_field_and_nothing_is_saved(world):
    version, goal, *_ = draft_with_tree(world)
    backbone = world.users["backbone"]
    with pytest.raises(ApplicationError) as exc:
        services.agenda_update(
            actor=backbone,
            version=version,
            revision=version.revision,
            vision="ok",
            principles="x" * (services.MAX_TEXT + 1),
        )
    assert exc.value.errors == {"principles": ["At most 20,000 characters."]}
    version.refresh_from_db()
    assert version.vision == "Every customer is live within 14 days."
    with pytest.raises(ApplicationError) as exc:
        services.outcome_update(
            actor=backbone,
            node=goal,
            revision=version.revision,
            description="d" * (services.MAX_NOTE + 1),
        )
    assert "description" in exc.value.errors
    services.consultation_open(actor=backbone, version=version)
    with pytest.raises(ApplicationError) as exc:
        services.item_create(
            actor=world.users["contributor"],
            version=version,
            kind="comment",
            section="vision",
            body="b" * (services.MAX_NOTE + 1),
        )
    assert "body" in exc.value.errors
    assert not version.consultation_items.exists()


def test_audit_entries_show_was_and_now(world):
    version, goal, outcome, sub = draft_with_tree(world)
    backbone = world.users["backbone"]
    services.outcome_update(
        actor=backbone, node=outcome, revision=version.revision, co_partners=[world.partner]
    )
    version.refresh_from_db()
    services.outcome_move(actor=backbone, node=sub, revision=version.revision, parent=goal)
    services.consultation_open(actor=backbone, version=version)
    item = amendment(world, version)
    services.amendment_decide(actor=backbone, item=item, accept=True, reason="Yes.")
    services.agenda_adopt(actor=backbone, version=version)
    lead = world.users["lead"]
    services.endorsement_record(
        actor=lead, version=version, partner=world.partner, stance=Stance.ENDORSED
    )
    services.endorsement_record(
        actor=lead, version=version, partner=world.partner, stance="reservations", reservations="R"
    )

    def changes(verb):
        return AuditEvent.objects.filter(verb=verb).latest("id").changes

    assert changes("changed outcome")["co_partners"] == {"from": "Sales", "to": "Operations"}
    assert changes("moved outcome")["parent"] == {
        "from": "Hand-offs take less than a day",
        "to": "Customers go live fast",
    }
    assert changes("accepted amendment")["vision"] == {
        "from": "Every customer is live within 14 days.",
        "to": "Every customer is live in 10 days.",
    }
    assert changes("endorsed")["stance"] == {"from": None, "to": "endorsed"}
    assert changes("endorsed with reservations")["stance"] == {
        "from": "endorsed",
        "to": "reservations",
    }
    # Every {"from", "to"} entry is shown by the audit page as "was → now".
    event = AuditEvent.objects.filter(verb="moved outcome").latest("id")
    assert ("parent", "Hand-offs take less than a day", "Customers go live fast", True) in (
        event.change_rows()
    )
