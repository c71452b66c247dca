"""App config: mutually reinforcing activities."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "collective.activities"
    label = "activities"
    verbose_name = "Mutually reinforcing activities"
