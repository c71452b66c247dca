"""Pages of continuous communication."""

from collective.core.conditions import condition
from collective.core.http import initiative_view, render_page


@initiative_view()
def index(request):
    return render_page(
        request,
        "core/condition_intro.html",
        {"condition": condition("communication")},
    )
