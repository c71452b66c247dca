"""App config: backbone support."""

from django.apps import AppConfig


class BackboneConfig(AppConfig):
    name = "collective.backbone"
    label = "backbone"
    verbose_name = "Backbone support"
