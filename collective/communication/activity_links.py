"""Links to the activities of the mutually reinforcing activities condition, an app that may not
be installed: the choices of the activity pickers, one activity by uid, and the pages of linked
activities. The only module of communication that reads `collective.activities` (its models and
rules, never its services); everything else stores an `ActivityLink` and asks here.
"""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from collective.core.models import Initiative

APP = "collective.activities"


def installed() -> bool:
    return apps.is_installed(APP)


def _activities():
    from collective.activities.models import Activity

    return Activity.objects


def may_see(user, initiative: Initiative) -> bool:
    """Whether the person may read the initiative's activities (members may)."""
    return installed() and user.has_perm("activities.view", initiative)


def choices(initiative: Initiative, user) -> list:
    """Picker choices grouped by partner: [(partner name, [(uid, title), ...]), ...]; empty when
    the app is absent or the person may not read activities."""
    if not may_see(user, initiative):
        return []
    rows = (
        _activities()
        .filter(initiative=initiative)
        .order_by("partner__name", "title", "id")
        .values_list("uid", "title", "partner__name")
    )
    groups: dict[str, list] = {}
    for uid, title, partner in rows:
        groups.setdefault(partner, []).append((str(uid), title))
    return list(groups.items())


def get(initiative: Initiative, uid):
    """The initiative's activity with this uid, or None (another initiative's is None too)."""
    if not installed() or not uid:
        return None
    return (
        _activities()
        .filter(initiative=initiative, uid=uid)
        .select_related("initiative", "partner")
        .first()
    )


def existing(initiative: Initiative, uids) -> set[str]:
    """Which of these activity uids still exist in the initiative (one query)."""
    wanted = {str(u) for u in uids if u}
    if not wanted or not installed():
        return set()
    found = _activities().filter(initiative=initiative, uid__in=wanted)
    return {str(u) for u in found.values_list("uid", flat=True)}


def url(initiative: Initiative, uid) -> str:
    """The activity's page (no query); "" without the app."""
    if not installed() or not uid:
        return ""
    try:
        return reverse("activities:activity-detail", kwargs={"slug": initiative.slug, "uid": uid})
    except NoReverseMatch:
        return ""


def attach_urls(initiative: Initiative, rows) -> list:
    """Set `linked_activity_url` on each row whose activity still exists (one query for all), so
    a page links only to activities that are there and otherwise shows the kept title."""
    rows = list(rows)
    alive = existing(initiative, [getattr(r, "activity_uid", None) for r in rows])
    for row in rows:
        uid = str(row.activity_uid) if getattr(row, "activity_uid", None) else ""
        row.linked_activity_url = url(initiative, uid) if uid in alive else ""
    return rows
