"""Pages of common agenda."""

from collective.core.conditions import CONDITIONS_BY_KEY
from collective.core.http import initiative_view, render_page


@initiative_view()
def index(request):
    return render_page(
        request,
        "core/condition_intro.html",
        {"condition": CONDITIONS_BY_KEY["agenda"]},
    )
