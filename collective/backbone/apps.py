"""App config: backbone support (condition 5 in the registry of condition apps)."""

from django.apps import AppConfig

from collective.core.conditions import Condition


class BackboneConfig(AppConfig):
    name = "collective.backbone"
    label = "backbone"
    verbose_name = "Backbone support"
    condition = Condition(
        key="backbone",
        number=5,
        title="Backbone support",
        nav_label="Backbone",
        icon="life-preserver",
        url_prefix="backbone",
        purpose="Appoint a small team or function to coordinate, facilitate, and track progress.",
        tip="Coordination is a special skillset: what matters most is that the backbone stays "
        "neutral and focused on enabling collaboration.",
    )
