from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from website.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS, seed_demo


class Command(BaseCommand):
    help = "Create the demo data (idempotent). Refuses to run in production."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_ENV=production: demo accounts have public passwords."
            )
        created = seed_demo()
        summary = ", ".join(f"{k}: {v}" for k, v in created.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (created {summary})."))
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}; TOTP secret: {DEMO_TOTP_SECRET}")
        for user in USERS:
            self.stdout.write(f"  {user.email}")
