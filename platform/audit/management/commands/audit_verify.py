from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEntry
from audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; name the first edited, inserted or deleted entry."

    def handle(self, *args, **options) -> None:
        broken = audit_chain_verify()
        if broken is not None:
            raise CommandError(f"Audit log chain broken at {broken}")
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {AuditEntry.objects.count()} entries verified."))
