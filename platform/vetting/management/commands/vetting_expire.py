from django.core.management.base import BaseCommand

from vetting.services import vetting_sweep


class Command(BaseCommand):
    help = "Expire vetting approvals past their date and send the 30- and 7-day reminders."

    def handle(self, *args, **options) -> None:
        result = vetting_sweep()
        self.stdout.write(f"expired: {result['expired']}, reminders sent: {result['reminded']}")
