"""App config: mutually reinforcing activities (condition 3 in the registry of condition apps)."""

from django.apps import AppConfig

from collective.core.conditions import Condition


class ActivitiesConfig(AppConfig):
    name = "collective.activities"
    label = "activities"
    verbose_name = "Mutually reinforcing activities"
    condition = Condition(
        key="activities",
        number=3,
        title="Mutually reinforcing activities",
        nav_label="Activities",
        icon="diagram-3",
        url_prefix="activities",
        purpose="Define team contribution according to strengths, and ensure everyone works "
        "toward the same goal.",
        tip="Map how each team or function supports the broader change effort using a "
        "strength-based lens.",
        summary="collective.activities.overview.activities_summary",
    )

    def ready(self) -> None:
        from collective.core import hooks
        from collective.core.search import register_search

        from . import rules  # noqa: F401  (registers the permissions)
        from .overview import activities_search
        from .services import help_record

        register_search(activities_search)
        hooks.listen(hooks.HELP_OFFERED, help_record)
