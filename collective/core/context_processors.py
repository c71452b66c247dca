"""Template context shared by every page: the initiative switcher and the navigation."""

from .conditions import conditions
from .rules import membership_for
from .selectors import initiative_list_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    initiative = getattr(request, "initiative", None)
    registered = conditions()
    context = {
        "current_initiative": initiative,
        "condition_nav": registered,
        # Templates condition apps put in the top bar (e.g. a notification bell).
        "topbar_templates": [c.topbar for c in registered if c.topbar],
    }
    if user.is_authenticated:
        context["my_initiatives"] = list(initiative_list_for(user).only("name", "slug"))
        if initiative is not None:
            context["current_membership"] = membership_for(user, initiative)
    return context
