"""App config: continuous communication (condition 4 in the registry of condition apps)."""

from django.apps import AppConfig

from collective.core.conditions import Condition


class CommunicationConfig(AppConfig):
    name = "collective.communication"
    label = "communication"
    verbose_name = "Continuous communication"
    condition = Condition(
        key="communication",
        number=4,
        title="Continuous communication",
        nav_label="Communication",
        icon="chat-square-text",
        url_prefix="communication",
        purpose="Establish regular touchpoints, updates, and forums to surface learning and "
        "recalibrate.",
        tip="Use feedback loops to keep momentum and engagement and to provide opportunities "
        "for continuous learning and adaptation.",
        summary="collective.communication.overview.communication_summary",
        topbar="communication/_bell.html",
    )

    def ready(self) -> None:
        from collective.core import hooks
        from collective.core.search import register_search

        from .overview import communication_search
        from .services.listeners import on_activity_slipped, on_coordination_requested

        register_search(communication_search)
        hooks.listen(hooks.ACTIVITY_SLIPPED, on_activity_slipped)
        hooks.listen(hooks.COORDINATION_REQUESTED, on_coordination_requested)
