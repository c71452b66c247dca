"""App config: shared measurement (registers its overview card and its search provider)."""

from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "collective.measurement"
    label = "measurement"
    verbose_name = "Shared measurement"

    def ready(self) -> None:
        from collective.core.conditions import register_summary
        from collective.core.search import register_search

        from .queries import indicator_search, measurement_summary

        register_summary("measurement", measurement_summary)
        register_search(indicator_search)
