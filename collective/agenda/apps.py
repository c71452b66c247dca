"""App config: common agenda."""

from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "collective.agenda"
    label = "agenda"
    verbose_name = "Common agenda"
