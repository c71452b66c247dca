"""Action items, updates and agenda items link to an activity of their initiative — from the
pages (a picker of the initiative's activities, grouped by partner) and the API (the activity's
uid) — and an activity of another initiative is refused with a message, saving nothing."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from collective.activities.tests.helpers import activity
from collective.communication import activity_links, services
from collective.communication.models import ActionItem, AgendaItem, Update
from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent
from tests.factories import make_partner

from .helpers import future_meeting, make_action, make_update


@pytest.fixture
def linked(world):
    """An activity of Operations, one of Sales, and one of another initiative."""
    elsewhere = make_partner(world.other, "Elsewhere", actor=world.users["outsider"])
    from collective.activities import services as activities

    world.extra.update(
        ops=activity(world, "Joint hand-off checklist"),
        sales=activity(world, "Sales notes template", partner=world.other_partner),
        foreign=activities.activity_create(
            actor=world.users["outsider"],
            initiative=world.other,
            partner=elsewhere,
            title="Someone else's programme",
        ),
    )
    return world.extra


def page(world, name, **kwargs):
    return reverse(f"communication:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def api(world, name, **kwargs):
    return reverse(f"api:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


# --- Services --------------------------------------------------------------------------------


def test_an_action_links_to_an_activity_of_its_initiative(world, linked):
    action = make_action(world, activity=linked["ops"])
    assert action.activity == linked["ops"]
    assert action.activity_uid == linked["ops"].uid
    assert action.activity_title == "Joint hand-off checklist"
    assert action.activity_url() == linked["ops"].get_absolute_url()
    services.action_update(actor=world.users["backbone"], action=action, activity=linked["sales"])
    action.refresh_from_db()
    assert action.activity_uid == linked["sales"].uid
    entry = AuditEvent.objects.filter(verb="updated").latest("id")
    assert entry.changes["activity"] == {
        "from": "Joint hand-off checklist",
        "to": "Sales notes template",
    }
    services.action_update(actor=world.users["backbone"], action=action, activity=None)
    action.refresh_from_db()
    assert (action.activity_uid, action.activity_title, action.activity_type) == (None, "", None)


def test_an_activity_of_another_initiative_is_refused_and_nothing_saved(world, linked):
    foreign = linked["foreign"]
    with pytest.raises(ApplicationError, match="another initiative") as refused:
        make_action(world, activity=foreign)
    assert refused.value.errors == {"activity": ["Choose an activity of this initiative."]}
    assert not ActionItem.objects.exists()
    with pytest.raises(ApplicationError, match="another initiative"):
        make_update(world, activity=foreign)
    assert not Update.objects.exists()
    meeting = future_meeting(world)
    with pytest.raises(ApplicationError, match="another initiative"):
        services.agenda_item_add(
            actor=world.users["backbone"], occurrence=meeting, title="X", activity=foreign
        )
    assert not AgendaItem.objects.exists()
    action = make_action(world, activity=linked["ops"])
    with pytest.raises(ApplicationError, match="another initiative"):
        services.action_update(
            actor=world.users["backbone"], action=action, title="Changed", activity=foreign
        )
    action.refresh_from_db()
    assert action.title == "Draft the hand-off checklist"
    assert action.activity_uid == linked["ops"].uid


def test_agenda_items_link_activities_and_carry_the_link_over(world, linked):
    meeting = future_meeting(world)
    item = services.agenda_item_add(
        actor=world.users["backbone"], occurrence=meeting, title="Checklist", activity=linked["ops"]
    )
    assert item.activity_uid == linked["ops"].uid
    services.agenda_item_update(actor=world.users["backbone"], item=item, activity=linked["sales"])
    item.refresh_from_db()
    assert item.activity_title == "Sales notes template"
    with pytest.raises(ApplicationError, match="another initiative"):
        services.agenda_item_update(
            actor=world.users["backbone"], item=item, title="Y", activity=linked["foreign"]
        )
    item.refresh_from_db()
    assert (item.title, item.activity_uid) == ("Checklist", linked["sales"].uid)


# --- Pages -----------------------------------------------------------------------------------


def test_the_picker_lists_this_initiatives_activities_by_partner(world, linked, client_as):
    client = client_as("contributor")
    response = client.get(page(world, "action-create"))
    html = response.content.decode()
    assert '<optgroup label="Operations">' in html and '<optgroup label="Sales">' in html
    assert str(linked["ops"].uid) in html and str(linked["sales"].uid) in html
    assert "Someone else" not in html and str(linked["foreign"].uid) not in html
    for name in ("update-create",):
        assert str(linked["sales"].uid) in client.get(page(world, name)).content.decode()


def test_an_action_is_linked_from_the_page_and_a_foreign_uid_is_refused(world, linked, client_as):
    client = client_as("contributor")
    data = {"title": "Print the checklist", "owner": world.users["contributor"].pk}
    data["due_date"] = "2031-01-01"
    create = page(world, "action-create")
    response = client.post(create, {**data, "activity": linked["foreign"].uid})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ActionItem.objects.exists()
    response = client.post(create, {**data, "activity": linked["ops"].uid})
    action = ActionItem.objects.get()
    assert response.status_code == 302 and action.activity_uid == linked["ops"].uid
    detail = client.get(action.get_absolute_url()).content.decode()
    assert f'href="{linked["ops"].get_absolute_url()}"' in detail
    # Editing other fields keeps the link; choosing none removes it.
    edit = page(world, "action-edit", uid=action.uid)
    form = client.get(edit).content.decode()
    assert f'<option value="{linked["ops"].uid}" selected>' in form
    post = {**data, "title": "Print two", "status": "open", "activity": linked["ops"].uid}
    assert client.post(edit, post).status_code == 302
    action.refresh_from_db()
    assert action.title == "Print two" and action.activity_uid == linked["ops"].uid
    assert client.post(edit, {**post, "activity": ""}).status_code == 302
    action.refresh_from_db()
    assert action.activity_uid is None


def test_a_link_to_a_removed_activity_keeps_its_title_and_survives_an_edit(
    world, linked, client_as
):
    from collective.activities import services as activities

    action = make_action(world, activity=linked["ops"])
    activities.activity_delete(actor=world.users["backbone"], activity=linked["ops"])
    client = client_as("contributor")
    detail = client.get(action.get_absolute_url()).content.decode()
    assert "Joint hand-off checklist" in detail
    assert linked["ops"].get_absolute_url() not in detail  # no link to a page that is gone
    edit = page(world, "action-edit", uid=action.uid)
    assert "No longer listed" in client.get(edit).content.decode()
    post = {
        "title": "Still to do",
        "owner": world.users["contributor"].pk,
        "due_date": "2031-01-01",
        "status": "open",
        "activity": str(action.activity_uid),
    }
    assert client.post(edit, post).status_code == 302
    action.refresh_from_db()
    assert action.title == "Still to do" and action.activity_title == "Joint hand-off checklist"


def test_agenda_items_and_updates_are_linked_from_their_pages(world, linked, client_as):
    client = client_as("backbone")
    meeting = future_meeting(world)
    response = client.post(
        page(world, "item-add", uid=meeting.uid),
        {"title": "Checklist", "minutes_estimate": 10, "activity": linked["sales"].uid},
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.activity_uid == linked["sales"].uid
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert f'href="{linked["sales"].get_absolute_url()}"' in html
    response = client.post(
        page(world, "update-create"),
        {"kind": "progress", "title": "Template live", "activity": linked["ops"].uid},
    )
    update = Update.objects.get()
    assert response.status_code == 302 and update.activity_uid == linked["ops"].uid
    detail = client.get(update.get_absolute_url()).content.decode()
    assert linked["ops"].get_absolute_url() in detail


def test_without_the_activities_app_there_is_no_picker(world, linked, client_as):
    with mock.patch.object(activity_links, "installed", return_value=False):
        html = client_as("contributor").get(page(world, "action-create")).content.decode()
        assert 'name="activity"' not in html
        assert activity_links.get(world.initiative, linked["ops"].uid) is None


# --- API -------------------------------------------------------------------------------------


def test_the_api_links_by_uid_and_refuses_another_initiatives_activity(world, linked, api_as):
    client = api_as("contributor")
    body = {"title": "Print it", "owner": "ct", "due_date": "2031-01-01"}
    refused = client.post(
        api(world, "action-item-list"), {**body, "activity": str(linked["foreign"].uid)}, "json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["activity"] == ["No such activity in this initiative."]
    assert not ActionItem.objects.exists()
    created = client.post(
        api(world, "action-item-list"), {**body, "activity": str(linked["ops"].uid)}, "json"
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["activity"] == str(linked["ops"].uid)
    assert data["activity_title"] == "Joint hand-off checklist"
    detail = api(world, "action-item-detail", uid=data["uid"])
    moved = client.patch(detail, {"activity": str(linked["sales"].uid)}, "json")
    assert moved.json()["activity"] == str(linked["sales"].uid)
    refused = client.patch(detail, {"activity": str(linked["foreign"].uid)}, "json")
    assert refused.status_code == 400
    assert ActionItem.objects.get().activity_uid == linked["sales"].uid
    cleared = client.patch(detail, {"activity": None}, "json")
    assert cleared.json()["activity"] is None and cleared.json()["activity_title"] == ""


def test_the_api_posts_an_update_linked_to_an_activity(world, linked, api_as):
    client = api_as("contributor")
    body = {"kind": "progress", "title": "Checklist used"}
    refused = client.post(
        api(world, "update-list"), {**body, "activity": str(linked["foreign"].uid)}, "json"
    )
    assert refused.status_code == 400 and "activity" in refused.json()["errors"]
    assert not Update.objects.exists()
    created = client.post(
        api(world, "update-list"), {**body, "activity": str(linked["ops"].uid)}, "json"
    )
    assert created.status_code == 201
    assert created.json()["activity"] == str(linked["ops"].uid)
    listed = client.get(api(world, "update-list")).json()["results"]
    assert listed[0]["activity"] == str(linked["ops"].uid)
