"""App config: the REST API wiring (root, auth, schema, docs)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "collective.api"
    label = "api"
    verbose_name = "API"
