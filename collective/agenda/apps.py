"""App config: common agenda (condition 1 in the registry of condition apps)."""

from django.apps import AppConfig

from collective.core.conditions import Condition


class AgendaConfig(AppConfig):
    name = "collective.agenda"
    label = "agenda"
    verbose_name = "Common agenda"
    condition = Condition(
        key="agenda",
        number=1,
        title="Common agenda",
        nav_label="Agenda",
        icon="compass",
        url_prefix="agenda",
        purpose="Create a clear, co-designed understanding of the problem and the outcomes "
        "you're aiming for.",
        tip="Involve diverse voices across levels and functions to ensure shared ownership and "
        "relevance.",
        summary="collective.agenda.overview.agenda_summary",
        public_links="collective.agenda.public_links.public_links",
    )

    def ready(self) -> None:
        from collective.core.search import register_search

        from .overview import agenda_search

        register_search(agenda_search)
