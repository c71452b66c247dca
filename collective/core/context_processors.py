"""Template context shared by every page: the initiative switcher and the navigation."""

from .conditions import conditions
from .rules import membership_for
from .selectors import initiative_list_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    initiative = getattr(request, "initiative", None)
    context = {"current_initiative": initiative, "condition_nav": conditions()}
    if user.is_authenticated:
        context["my_initiatives"] = list(initiative_list_for(user).only("name", "slug"))
        if initiative is not None:
            context["current_membership"] = membership_for(user, initiative)
    return context
