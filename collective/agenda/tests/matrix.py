"""Authorization cases of the agenda URLs, pages and API (see tests/matrix.py)."""

from tests.matrix import (
    BACKBONE_ONLY,
    CONTRIBUTORS,
    EVERYONE,
    LEAD,
    MEMBERS,
    Case,
)

LEAD_ONLY = frozenset({LEAD})


def _make_public(w):
    from collective.core.models import Initiative

    Initiative.objects.filter(pk=w.initiative.pk).update(visibility="public")
    w.initiative.visibility = "public"


def _draft(w):
    """A draft (v1) with a goal, an outcome and a sub-outcome."""
    from collective.agenda.tests.helpers import draft_with_tree

    version, goal, outcome, sub = draft_with_tree(w)
    w.extra.update(version=version, goal=goal, outcome=outcome, sub=sub)
    return {"slug": w.initiative.slug, "number": version.number}


def _draft_slug(w):
    _draft(w)
    return {"slug": w.initiative.slug}


def _adopted(w):
    from collective.agenda.tests.helpers import adopted_version

    version = adopted_version(w)
    w.extra["version"] = version
    return {"slug": w.initiative.slug, "number": version.number}


def _public_adopted(w):
    kwargs = _adopted(w)
    _make_public(w)
    return kwargs


def _public_index(w):
    _adopted(w)
    _make_public(w)
    return {"slug": w.initiative.slug}


def _two_versions(w):
    from collective.agenda.tests.helpers import in_consultation

    in_consultation(w)
    return {"slug": w.initiative.slug}


def _consultation(w):
    """v1 adopted, v2 in consultation with one open amendment by the contributor."""
    from collective.agenda.tests.helpers import amendment, in_consultation

    version = in_consultation(w)
    w.extra["version"] = version
    w.extra["item"] = amendment(w, version)
    return {"slug": w.initiative.slug, "number": version.number}


def _item(w):
    kwargs = _consultation(w)
    return {**kwargs, "uid": w.extra["item"].uid}


def _node(name):
    def make(w):
        kwargs = _draft(w)
        return {**kwargs, "uid": w.extra[name].outcome.uid}

    return make


def _revision(w, **data):
    w.extra["version"].refresh_from_db()
    return {"revision": w.extra["version"].revision, **data}


def _api_item(w):
    kwargs = _consultation(w)
    return {**kwargs, "uid": w.extra["item"].uid}


def _api_outcome(w):
    _draft(w)
    return {"slug": w.initiative.slug, "uid": w.extra["sub"].outcome.uid}


CASES = [
    # Pages
    Case("agenda:index", MEMBERS),
    Case("agenda:index", EVERYONE, kwargs=_public_index, note="public"),
    Case("agenda:version-create", BACKBONE_ONLY),
    Case(
        "agenda:version-create",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"title": "Fresh start"},
    ),
    Case("agenda:history", MEMBERS, kwargs=_two_versions),
    Case("agenda:diff", MEMBERS, kwargs=_two_versions),
    Case("agenda:endorsements", MEMBERS, kwargs=_two_versions),
    Case("agenda:version-detail", MEMBERS, kwargs=_draft),
    Case("agenda:version-detail", EVERYONE, kwargs=_public_adopted, note="public-adopted"),
    Case("agenda:version-print", MEMBERS, kwargs=_draft),
    Case("agenda:version-print", EVERYONE, kwargs=_public_adopted, note="public-adopted"),
    Case("agenda:version-edit", BACKBONE_ONLY, kwargs=_draft),
    Case(
        "agenda:version-edit",
        BACKBONE_ONLY,
        kwargs=_draft,
        method="post",
        data=lambda w: _revision(w, vision="A sharper vision"),
    ),
    Case("agenda:version-adopt", BACKBONE_ONLY, kwargs=_draft),
    Case(
        "agenda:version-adopt",
        BACKBONE_ONLY,
        kwargs=_draft,
        method="post",
        data=lambda w: {"rationale": "Ready", "learning": ""},
    ),
    Case("agenda:endorse", LEAD_ONLY, kwargs=_adopted),
    Case(
        "agenda:endorse",
        LEAD_ONLY,
        kwargs=_adopted,
        method="post",
        data=lambda w: {"stance": "endorsed", "reservations": ""},
    ),
    Case("agenda:outcome-add", BACKBONE_ONLY, kwargs=_draft),
    Case(
        "agenda:outcome-add",
        BACKBONE_ONLY,
        kwargs=_draft,
        method="post",
        data=lambda w: _revision(w, statement="New outcome", horizon="long"),
    ),
    Case("agenda:outcome-edit", BACKBONE_ONLY, kwargs=_node("outcome")),
    Case(
        "agenda:outcome-edit",
        BACKBONE_ONLY,
        kwargs=_node("outcome"),
        method="post",
        data=lambda w: _revision(w, statement="Reworded", horizon="short"),
    ),
    Case("agenda:outcome-move", BACKBONE_ONLY, kwargs=_node("sub")),
    Case(
        "agenda:outcome-move",
        BACKBONE_ONLY,
        kwargs=_node("sub"),
        method="post",
        data=lambda w: _revision(w, parent=w.extra["goal"].pk),
    ),
    Case("agenda:outcome-remove", BACKBONE_ONLY, kwargs=_node("sub")),
    Case(
        "agenda:outcome-remove",
        BACKBONE_ONLY,
        kwargs=_node("sub"),
        method="post",
        data=lambda w: _revision(w),
    ),
    Case("agenda:consultation", MEMBERS, kwargs=_consultation),
    Case(
        "agenda:consultation",
        CONTRIBUTORS,
        kwargs=_consultation,
        method="post",
        data=lambda w: {"kind": "comment", "target": "vision", "body": "Looks right."},
    ),
    Case("agenda:consultation-open", BACKBONE_ONLY, kwargs=_draft, method="post"),
    Case("agenda:consultation-close", BACKBONE_ONLY, kwargs=_consultation, method="post"),
    Case(
        "agenda:item-reply",
        CONTRIBUTORS,
        kwargs=_consultation,
        method="post",
        data=lambda w: {"parent": str(w.extra["item"].uid), "body": "Good idea."},
    ),
    Case("agenda:item-decide", BACKBONE_ONLY, kwargs=_item),
    Case(
        "agenda:item-decide",
        BACKBONE_ONLY,
        kwargs=_item,
        method="post",
        data=lambda w: {"decision": "accept", "reason": "Better."},
    ),
    Case("agenda:voices", MEMBERS, kwargs=_consultation),
    Case(
        "agenda:voices-nudge",
        BACKBONE_ONLY,
        kwargs=_consultation,
        method="post",
        data=lambda w: {"partner": str(w.other_partner.uid)},
    ),
    # API
    Case("api:agenda-version-list", MEMBERS, api=True, kwargs=_two_versions),
    Case("api:agenda-version-list", EVERYONE, api=True, kwargs=_public_index, note="public"),
    Case(
        "api:agenda-version-list",
        BACKBONE_ONLY,
        api=True,
        method="post",
        data=lambda w: {"title": "Via the API"},
    ),
    Case("api:agenda-version-detail", MEMBERS, api=True, kwargs=_draft),
    Case(
        "api:agenda-version-detail",
        EVERYONE,
        api=True,
        kwargs=_public_adopted,
        note="public-adopted",
    ),
    Case(
        "api:agenda-version-detail",
        BACKBONE_ONLY,
        api=True,
        kwargs=_draft,
        method="patch",
        data=lambda w: _revision(w, vision="Via the API"),
    ),
    Case(
        "api:agenda-version-open-consultation",
        BACKBONE_ONLY,
        api=True,
        kwargs=_draft,
        method="post",
    ),
    Case(
        "api:agenda-version-close-consultation",
        BACKBONE_ONLY,
        api=True,
        kwargs=_consultation,
        method="post",
    ),
    Case(
        "api:agenda-version-adopt",
        BACKBONE_ONLY,
        api=True,
        kwargs=_draft,
        method="post",
        data=lambda w: {"rationale": "Ready"},
    ),
    Case("api:outcome-list", MEMBERS, api=True, kwargs=_draft_slug),
    Case(
        "api:outcome-list",
        BACKBONE_ONLY,
        api=True,
        kwargs=_draft_slug,
        method="post",
        data=lambda w: _revision(
            w, statement="Via the API", parent=str(w.extra["goal"].outcome.uid)
        ),
    ),
    Case("api:outcome-detail", MEMBERS, api=True, kwargs=_api_outcome),
    Case(
        "api:outcome-detail",
        BACKBONE_ONLY,
        api=True,
        kwargs=_api_outcome,
        method="patch",
        data=lambda w: _revision(w, statement="Reworded via the API"),
    ),
    Case(
        "api:outcome-detail",
        BACKBONE_ONLY,
        api=True,
        kwargs=_api_outcome,
        method="delete",
        data=lambda w: _revision(w),
    ),
    Case("api:agenda-item-list", MEMBERS, api=True, kwargs=_consultation),
    Case(
        "api:agenda-item-list",
        CONTRIBUTORS,
        api=True,
        kwargs=_consultation,
        method="post",
        data=lambda w: {"kind": "support", "section": "vision"},
    ),
    Case(
        "api:agenda-item-decide",
        BACKBONE_ONLY,
        api=True,
        kwargs=_api_item,
        method="post",
        data=lambda w: {"decision": "decline", "reason": "Not now."},
    ),
    Case("api:agenda-endorsement-list", MEMBERS, api=True, kwargs=_adopted),
    Case(
        "api:agenda-endorsement-list",
        LEAD_ONLY,
        api=True,
        kwargs=_adopted,
        method="post",
        data=lambda w: {"stance": "endorsed"},
    ),
]
