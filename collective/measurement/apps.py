"""App config: shared measurement (condition 2 in the registry of condition apps)."""

from django.apps import AppConfig

from collective.core.conditions import Condition


class MeasurementConfig(AppConfig):
    name = "collective.measurement"
    label = "measurement"
    verbose_name = "Shared measurement"
    condition = Condition(
        key="measurement",
        number=2,
        title="Shared measurement",
        nav_label="Measures",
        icon="graph-up-arrow",
        url_prefix="measures",
        purpose="Agree on what success looks like, and track it together.",
        tip="Use a consistent set of objectives and KPIs across teams and keep data visible and "
        "transparent.",
        summary="collective.measurement.selectors.measurement_summary",
        partner_links="collective.measurement.partner_links.partner_links",
    )

    def ready(self) -> None:
        from collective.core import hooks
        from collective.core.search import register_search

        from .selectors import indicator_search
        from .tasks import schedule_rebuild

        register_search(indicator_search)
        # Subtree totals and which values count change with these: recompute the roll-ups.
        hooks.listen(hooks.PARTNER_TREE_CHANGED, schedule_rebuild)
        hooks.listen(hooks.REVIEW_SETTING_CHANGED, schedule_rebuild)
