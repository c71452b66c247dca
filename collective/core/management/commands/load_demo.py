"""Load the demo initiatives (idempotent): `manage.py load_demo`."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from collective.core import demo as core_demo

# Apps add their demo data in this order; each exposes load(world) in `<app>/demo.py`.
DEMO_APPS = ["agenda", "measurement", "activities", "communication", "backbone"]


class Command(BaseCommand):
    help = "Create the two demo initiatives with people in every role (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args, **options):
        with transaction.atomic():
            world = core_demo.load()
            for label in DEMO_APPS:
                config = apps.get_app_config(label)
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(world)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo logins (password: {core_demo.DEMO_PASSWORD}):")
            for username, what in core_demo.LOGINS:
                self.stdout.write(f"  {username:<12} {what}")
