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
    )
