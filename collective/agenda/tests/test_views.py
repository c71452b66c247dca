"""Pages of the common agenda: content, refusals with clear messages, htmx, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.agenda import selectors, services
from collective.agenda.choices import VersionStatus
from collective.agenda.models import AgendaVersion, ConsultationItem

from .helpers import adopted_version, amendment, draft_with_tree, in_consultation

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def test_empty_state_teaches_and_offers_the_first_draft(world, client_as):
    response = client_as("backbone").get(url("index", world))
    assert b"No common agenda yet" in response.content
    assert b"Create the first draft" in response.content
    assert b"Involve diverse voices" in response.content
    viewer = client_as("viewer").get(url("index", world))
    assert b"Create the first draft" not in viewer.content


def test_landing_shows_adopted_agenda_banner_and_endorsements(
    world, client_as, django_assert_max_num_queries
):
    in_consultation(world)
    client = client_as("contributor")
    with django_assert_max_num_queries(30):
        response = client.get(url("index", world))
    html = response.content.decode()
    assert "Every customer is live within 14 days." in html
    assert "<li>We share data openly</li>" in html  # Markdown rendered
    assert "Version 2 is open for consultation" in html
    assert "Have your say" in html
    assert "Where partners stand on v1" in html
    assert "Hand-offs take less than a day" in html and "Lead: Operations" in html


def test_markdown_is_sanitised(world, client_as):
    version, *_ = draft_with_tree(world)
    services.agenda_update(
        actor=world.users["backbone"],
        version=version,
        revision=version.revision,
        vision='Hi <script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:x)',
    )
    html = client_as("viewer").get(version.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "onerror" not in html and "javascript:x" not in html


def test_stale_save_is_refused_and_the_text_is_kept(world, client_as):
    version, *_ = draft_with_tree(world)
    seen = version.revision
    services.agenda_update(
        actor=world.users["backbone"], version=version, revision=seen, vision="Saved first"
    )
    response = client_as("backbone").post(
        url("version-edit", world, number=version.number),
        {"revision": seen, "vision": "My careful words", "problem_statement": "P"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this draft" in html
    assert "My careful words" in html  # kept in the form
    assert "The text saved in the meantime" in html
    assert '<span class="visually-hidden">[added: </span>Saved' in html
    assert AgendaVersion.objects.get(pk=version.pk).vision == "Saved first"
    version.refresh_from_db()
    assert f'name="revision" value="{version.revision}"' in html  # next save can go through


def test_adopt_without_outcomes_is_refused_with_an_explanation(world, client_as):
    version = services.agenda_draft_create(
        actor=world.users["backbone"], initiative=world.initiative
    )
    response = client_as("backbone").post(
        url("version-adopt", world, number=version.number), {"rationale": "", "learning": ""}
    )
    assert response.status_code == 200
    assert b"A version with no outcomes cannot be adopted" in response.content
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_amending_a_closed_consultation_is_refused_on_the_page(world, client_as):
    version = in_consultation(world)
    services.consultation_close(actor=world.users["backbone"], version=version)
    response = client_as("contributor").post(
        url("consultation", world, number=version.number),
        {"kind": "amendment", "target": "vision", "proposed_text": "Something else"},
    )
    assert response.status_code == 400
    assert b"consultation on this version is closed" in response.content
    assert not ConsultationItem.objects.exists()


def test_consultation_page_shows_diff_and_lets_backbone_decide(
    world, client_as, django_assert_max_num_queries
):
    version = in_consultation(world)
    item = amendment(world, version)
    client = client_as("backbone")
    with django_assert_max_num_queries(30):
        response = client.get(url("consultation", world, number=version.number))
    html = response.content.decode()
    assert '<span class="visually-hidden">[removed: </span>within' in html
    assert '<span class="visually-hidden">[added: </span>in' in html
    assert "Decide" in html and "Awaiting decision" in html
    response = client.post(
        url("item-decide", world, number=version.number, uid=item.uid),
        {"decision": "accept", "reason": ""},
    )
    assert b"Give the reason" in response.content
    response = client.post(
        url("item-decide", world, number=version.number, uid=item.uid),
        {"decision": "accept", "reason": "Clearer."},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.vision == "Every customer is live in 10 days."


def test_compose_form_prefills_the_current_text_for_an_amendment(world, client_as):
    version = in_consultation(world)
    response = client_as("contributor").get(
        url("consultation", world, number=version.number) + "?target=vision&kind=amendment"
    )
    assert b"Every customer is live within 14 days.</textarea>" in response.content


def test_reply_and_support(world, client_as):
    version = in_consultation(world)
    item = amendment(world, version)
    client = client_as("lead")
    client.post(
        url("item-reply", world, number=version.number),
        {"parent": str(item.uid), "body": "Yes please"},
    )
    client.post(
        url("consultation", world, number=version.number),
        {"kind": "support", "target": f"outcome:{selectors.outcome_tree(version)[0].outcome.uid}"},
    )
    assert ConsultationItem.objects.filter(parent=item, body="Yes please").exists()
    assert ConsultationItem.objects.filter(kind="support", section="outcome").exists()


def test_outcome_tree_editing_without_js_and_with_htmx(world, client_as):
    version, goal, _outcome, _sub = draft_with_tree(world)
    client = client_as("backbone")
    response = client.post(
        url("outcome-add", world, number=version.number),
        {"revision": version.revision, "statement": "Second", "parent": goal.pk, "horizon": "long"},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    second = selectors.node_get(version, selectors.outcome_tree(version)[-1].outcome.uid)
    response = client.post(
        url("outcome-move", world, number=version.number, uid=second.outcome.uid),
        {"revision": version.revision, "direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "outcome-tree" in html
    assert html.index("Second") < html.index("Hand-offs take less than a day")
    version.refresh_from_db()
    response = client.post(
        url("outcome-edit", world, number=version.number, uid=second.outcome.uid),
        {"revision": version.revision - 1, "statement": "Stale words", "horizon": "long"},
    )
    assert b"Someone else saved this draft" in response.content
    assert b"Stale words" in response.content
    response = client.post(
        url("outcome-remove", world, number=version.number, uid=goal.outcome.uid),
        {"revision": version.revision},
        follow=True,
    )
    assert b"has sub-outcomes" in response.content


def test_public_initiative_shows_the_adopted_agenda_to_anyone(world, client):
    from collective.core.models import Initiative

    version = adopted_version(world)
    draft = services.agenda_draft_create(actor=world.users["backbone"], initiative=world.initiative)
    Initiative.objects.filter(pk=world.initiative.pk).update(visibility="public")
    response = client.get(url("index", world))
    assert response.status_code == 200 and b"Customers go live fast" in response.content
    assert b"Continue draft" not in response.content
    assert client.get(url("version-print", world, number=version.number)).status_code == 200
    hidden = client.get(url("version-detail", world, number=draft.number))
    assert hidden.status_code == 302 and "/accounts/login/" in hidden["Location"]


def test_print_view_is_clean(world, client_as):
    version = adopted_version(world)
    html = client_as("viewer").get(url("version-print", world, number=version.number)).content
    assert b"sidebar" not in html and b"topbar" not in html
    assert b"Customers go live fast" in html


def test_history_diff_voices_endorsements_pages(world, client_as, django_assert_max_num_queries):
    version = in_consultation(world)
    amendment(world, version)
    client = client_as("viewer")
    for name, kwargs, text in [
        ("history", {}, b"Version 2"),
        ("diff", {}, b"What changed from v1 to v2"),
        ("voices", {"number": version.number}, b"Not heard yet"),
        ("endorsements", {}, b"Not yet"),
        ("version-detail", {"number": 1}, b"Adopted"),
    ]:
        with django_assert_max_num_queries(30):
            response = client.get(url(name, world, **kwargs))
        assert response.status_code == 200, name
        assert text in response.content, name


def test_overview_card_and_search(world, client_as):
    version = in_consultation(world)
    client = client_as("contributor")
    overview = client.get(reverse("core:initiative-overview", args=[world.initiative.slug]))
    assert b"adopted version" in overview.content
    assert f"Have your say on v{version.number}".encode() in overview.content
    viewer = client_as("viewer").get(
        reverse("core:initiative-overview", args=[world.initiative.slug])
    )
    assert b"Have your say" not in viewer.content  # viewers read; they do not take part
    assert f"Read the consultation on v{version.number}".encode() in viewer.content
    results = client.get(reverse("core:search", args=[world.initiative.slug]) + "?q=hand-offs")
    assert b"Hand-offs take less than a day" in results.content


def test_nudge_and_new_draft_pages(world, client_as, django_capture_on_commit_callbacks):
    from django.core import mail

    version = in_consultation(world)
    client = client_as("backbone")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("voices-nudge", world, number=version.number), {"level": "none"}, follow=True
        )
    assert b"Sent a nudge to" in response.content
    assert mail.outbox
    response = client.post(url("version-create", world), {"title": "Another"})
    assert b"is already in progress" in response.content
    assert AgendaVersion.objects.count() == 2


def test_htmx_move_explains_a_refusal_inside_the_tree(world, client_as):
    version, goal, *_ = draft_with_tree(world)
    response = client_as("backbone").post(
        url("outcome-move", world, number=version.number, uid=goal.outcome.uid),
        {"revision": version.revision, "direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    assert b"already the first at its level" in response.content
    assert b'role="alert"' in response.content


def test_diff_names_tree_levels_and_where_a_removed_outcome_was(world, client_as):
    version = in_consultation(world)
    backbone = world.users["backbone"]
    nodes = selectors.outcome_tree(version)
    sub = next(n for n in nodes if n.kind == "sub_outcome")
    services.outcome_remove(actor=backbone, node=sub, revision=version.revision)
    version.refresh_from_db()
    services.outcome_add(
        actor=backbone,
        version=version,
        revision=version.revision,
        statement="Notes are complete",
        parent=nodes[1],
    )
    html = client_as("viewer").get(url("diff", world) + "?from=1&to=2").content.decode()
    assert "Sub-outcome" in html and "Suboutcome" not in html
    assert "<del>Sales notes reach Operations</del>" in html
    assert "was under “Hand-offs take less than a day”" in html


def test_endorsement_grid_superseded_versions_and_full_reservations(world, client_as):
    first = adopted_version(world)
    lead = world.users["lead"]
    long_reservation = "The hand-off target is tight for the night shift. " * 4
    services.endorsement_record(
        actor=lead,
        version=first,
        partner=world.partner,
        stance="reservations",
        reservations=long_reservation,
    )
    draft = services.agenda_draft_create(actor=world.users["backbone"], initiative=world.initiative)
    services.agenda_adopt(actor=world.users["backbone"], version=draft)
    html = client_as("viewer").get(url("endorsements", world)).content.decode()
    assert long_reservation.strip() in html  # in full, not cut off
    # v2 is the adopted one: partners can still endorse it; v1 is closed.
    assert html.count("Not yet") == 3 and html.count("None recorded") == 2


def test_voices_lists_partners_nobody_speaks_for_with_invite_or_nudge(world, client_as):
    version = in_consultation(world)
    amendment(world, version)
    html = client_as("backbone").get(url("voices", world, number=version.number)).content.decode()
    unheard = html[html.index("Not heard yet") : html.index("By partner")]
    assert "Ops Team North" in unheard and "nobody from it is in the initiative yet" in unheard
    assert 'Invite<span class="visually-hidden"> people from Ops Team North' in unheard
    assert "Operations" not in unheard.replace("Ops Team North", "")  # it has been heard
    viewer = client_as("viewer").get(url("voices", world, number=version.number)).content
    assert b"Invite<span" not in viewer and b"Nudge" not in viewer


def test_remove_page_says_what_links_to_the_outcome(world, client_as):
    from collective.measurement import services as measurement

    version = adopted_version(world)
    draft = services.agenda_draft_create(actor=world.users["backbone"], initiative=world.initiative)
    node = selectors.outcome_tree(draft)[2]
    measurement.indicator_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        code="NOTES",
        name="Complete notes",
        outcomes=[node.outcome],
    )
    client = client_as("backbone")
    page = client.get(url("outcome-remove", world, number=draft.number, uid=node.outcome.uid))
    html = page.content.decode()
    assert "Linked to it:</strong> 1 indicator (NOTES" in html
    assert "the adopted agenda keeps it until this draft is adopted" in html
    client.post(
        url("outcome-remove", world, number=draft.number, uid=node.outcome.uid),
        {"revision": draft.revision},
    )
    node.outcome.refresh_from_db()
    assert node.outcome.indicators.count() == 1  # the link survives
    assert version.nodes.filter(outcome=node.outcome).exists()


def test_amendment_written_against_an_earlier_wording_is_flagged(world, client_as):
    version = in_consultation(world)
    item = amendment(world, version)
    services.agenda_update(
        actor=world.users["backbone"],
        version=version,
        revision=version.revision,
        vision="Every customer is live within 12 days.",
    )
    page = client_as("backbone").get(url("consultation", world, number=version.number))
    assert b"Written against an earlier wording" in page.content
    assert b"accepting replaces all of it" in page.content
    decide = client_as("backbone").get(
        url("item-decide", world, number=version.number, uid=item.uid)
    )
    assert b"changes made since (shown as removed below) would be undone" in decide.content


def test_version_edit_puts_a_too_long_text_error_next_to_the_field(world, client_as):
    version, *_ = draft_with_tree(world)
    response = client_as("backbone").post(
        url("version-edit", world, number=version.number),
        {"revision": version.revision, "vision": "v" * 20_001},
    )
    form = response.context["form"]
    assert form.errors["vision"] == ["At most 20,000 characters."]
    assert "v" * 20_001 in response.content.decode()  # what they typed is kept


def test_page_queries_do_not_grow_with_outcomes_and_items(world, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    version = in_consultation(world)
    services.endorsement_record(
        actor=world.users["lead"],
        version=AgendaVersion.objects.get(number=1),
        partner=world.partner,
        stance="endorsed",
    )
    pages = [
        ("index", {}),
        ("version-detail", {"number": 2}),
        ("version-print", {"number": 2}),
        ("consultation", {"number": 2}),
        ("voices", {"number": 2}),
        ("history", {}),
        ("diff", {}),
        ("endorsements", {}),
    ]
    client = client_as("backbone")

    def counts():
        result = {}
        for name, kwargs in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(name, world, **kwargs)).status_code == 200
            result[name] = len(queries)
        return result

    amendment(world, version)
    before = counts()
    goal = selectors.outcome_tree(version)[0]
    for i in range(5):
        version.refresh_from_db()
        node = services.outcome_add(
            actor=world.users["backbone"],
            version=version,
            revision=version.revision,
            statement=f"Outcome {i}",
            parent=goal,
            lead_partner=world.partner,
            co_partners=[world.other_partner],
        )
        item = services.item_create(
            actor=world.users["contributor"],
            version=version,
            kind="amendment",
            section="outcome",
            outcome=node.outcome,
            proposed_text=f"Outcome {i}, better",
            body="Why",
        )
        services.item_create(
            actor=world.users["lead"], version=version, kind="comment", parent=item, body="Yes"
        )
    assert counts() == before


def test_remove_page_for_an_outcome_with_sub_outcomes_explains_instead_of_offering(
    world, client_as
):
    version, _goal, outcome, _sub = draft_with_tree(world)
    html = (
        client_as("backbone")
        .get(url("outcome-remove", world, number=version.number, uid=outcome.outcome.uid))
        .content.decode()
    )
    assert "has 1 sub-outcome under it" in html and "Sales notes reach Operations" in html
    assert "Remove outcome</button>" not in html


def test_support_once_then_the_page_says_you_support_it(world, client_as):
    version = in_consultation(world)
    client = client_as("contributor")
    consultation = url("consultation", world, number=version.number)
    assert client.post(consultation, {"kind": "support", "target": "vision"}).status_code == 302
    html = client.get(consultation).content.decode()
    vision = html[
        html.index('data-target-key="vision"') : html.index('data-target-key="principles"')
    ]
    assert "You support this" in vision and 'name="kind" value="support"' not in vision
    again = client.post(consultation, {"kind": "support", "target": "vision"})
    assert again.status_code == 400 and b"You already support this part" in again.content


def test_stale_save_compares_only_the_fields_that_differ(world, client_as):
    version, *_ = draft_with_tree(world)
    seen = version.revision
    services.agenda_update(
        actor=world.users["backbone"], version=version, revision=seen, learning="Saved first"
    )
    mine = {name: getattr(version, name) for name in services.VERSION_FIELDS}
    mine.update(revision=seen, vision="My vision", learning="")
    html = (
        client_as("backbone")
        .post(url("version-edit", world, number=version.number), mine)
        .content.decode()
    )
    card = html[html.index("The text saved in the meantime") : html.index("</section>")]
    assert "<dt>Vision</dt>" in card and "<dt>Learning or feedback behind it</dt>" in card
    assert "Problem statement" not in card and "Guiding principles" not in card


def test_adopting_or_deciding_after_the_fact_explains_instead_of_offering_a_form(world, client_as):
    version = in_consultation(world)
    item = amendment(world, version)
    services.consultation_close(actor=world.users["backbone"], version=version)
    client = client_as("backbone")
    decide = client.get(url("item-decide", world, number=version.number, uid=item.uid))
    assert b"amendments can no longer be decided" in decide.content
    assert b"Record decision" not in decide.content
    response = client.get(url("version-adopt", world, number=1), follow=True)
    assert b"Version 1 is adopted: only a draft" in response.content
    assert response.redirect_chain[-1][0].endswith("/agenda/v/1/")


def test_move_form_offers_no_place_inside_the_outcomes_own_branch(world, client_as):
    version, goal, _outcome, _sub = draft_with_tree(world)
    second = services.outcome_add(
        actor=world.users["backbone"],
        version=version,
        revision=version.revision,
        statement="Another goal",
    )
    form = (
        client_as("backbone")
        .get(url("outcome-move", world, number=version.number, uid=goal.outcome.uid))
        .context["form"]
    )
    assert list(form.fields["parent"].queryset) == [second]  # not itself, not its outcome
