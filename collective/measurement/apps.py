"""App config: shared measurement (registers its overview card and its search provider)."""

from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "collective.measurement"
    label = "measurement"
    verbose_name = "Shared measurement"

    def ready(self) -> None:
        from collective.core import hooks
        from collective.core.conditions import register_summary
        from collective.core.search import register_search

        from .queries import indicator_search, measurement_summary
        from .tasks import schedule_rebuild

        register_summary("measurement", measurement_summary)
        register_search(indicator_search)
        # Subtree totals and which values count change with these: recompute the roll-ups.
        hooks.listen(hooks.PARTNER_TREE_CHANGED, schedule_rebuild)
        hooks.listen(hooks.REVIEW_SETTING_CHANGED, schedule_rebuild)
