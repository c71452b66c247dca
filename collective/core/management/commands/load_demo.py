"""Load the demo initiatives (idempotent): `manage.py load_demo`."""

from django.core.management.base import BaseCommand
from django.db import transaction

from collective.core import demo as core_demo
from collective.core.conditions import registry


class Command(BaseCommand):
    help = "Create the two demo initiatives with people in every role (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args, **options):
        with transaction.atomic():
            world = core_demo.load()
            # Each condition app adds its own data, in the framework's order.
            for registered in registry():
                module = registered.module("demo")
                if module is not None:
                    module.load(world)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo logins (password: {core_demo.DEMO_PASSWORD}):")
            for username, what in core_demo.LOGINS:
                self.stdout.write(f"  {username:<12} {what}")
