"""App config: common agenda."""

from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "collective.agenda"
    label = "agenda"
    verbose_name = "Common agenda"

    def ready(self) -> None:
        from collective.core.conditions import register_summary
        from collective.core.search import register_search

        from .overview import agenda_search, agenda_summary

        register_summary("agenda", agenda_summary)
        register_search(agenda_search)
