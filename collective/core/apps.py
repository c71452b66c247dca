"""App config for the core: initiatives, partners, people, roles and the audit log."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "collective.core"
    label = "core"
    verbose_name = "Collective core"

    def ready(self) -> None:
        from .search import core_search, register_search

        register_search(core_search)
