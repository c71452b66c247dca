"""App config: continuous communication."""

from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    name = "collective.communication"
    label = "communication"
    verbose_name = "Continuous communication"
