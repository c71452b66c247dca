"""App config: shared measurement."""

from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "collective.measurement"
    label = "measurement"
    verbose_name = "Shared measurement"
