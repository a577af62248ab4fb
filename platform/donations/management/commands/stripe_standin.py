"""Run a command with Stripe wired for donations: `make run` starts the server and the
sweeps through it.

    python manage.py stripe_standin --site http://127.0.0.1:8000 -- COMMAND [ARG ...]

Outside production with no STRIPE_SECRET_KEY, starts localstripe on a loopback port
(donations/standin.py), registers its webhook to the site with a generated secret and
runs COMMAND with the STRIPE_* variables pointing at it; stops it when COMMAND ends.
Otherwise runs COMMAND as it is: with the keys that are set, or, in production without
keys, with donations off.
"""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config import env
from donations import standin


class Command(BaseCommand):
    help = "Run a command with a local Stripe stand-in (localstripe) when no Stripe keys are set, outside production."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="the site's base URL, to which the webhook is sent")
        parser.add_argument("command", nargs="+", help="the command to run (after --)")

    def handle(self, *args, site: str, command: list[str], **options):
        if not standin.wanted(settings):
            if settings.STRIPE_SECRET_KEY:
                self.stdout.write("Donations: through the Stripe keys set in the environment.")
            else:
                self.stdout.write("Donations: off (production needs STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY).")
            self.stdout.flush()
            # The developer's own command line (make run's), run as it is.
            sys.exit(subprocess.call(command))  # noqa: S603
        try:
            running = standin.start(state=settings.STRIPE_STANDIN_STATE, site_url=site)
        except standin.StandInError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Donations: a local Stripe stand-in (localstripe) on {running.url}, its webhook to {site}; "
            "give with the test card 4242 4242 4242 4242."
        )
        self.stdout.flush()
        try:
            code = subprocess.call(command, env=env.with_overrides(running.environment()))  # noqa: S603
        finally:
            running.stop()
        sys.exit(code)
