from django.core.management.base import BaseCommand

from transparency.services import snapshot_compute


class Command(BaseCommand):
    help = "Compute the public transparency figures now, replacing the current snapshot."

    def handle(self, *args, **options) -> None:
        snapshot = snapshot_compute()
        self.stdout.write(
            f"snapshot {snapshot.pk} generated at {snapshot.generated_at:%Y-%m-%d %H:%M:%S %Z}: "
            f"{snapshot.rows} rows in {snapshot.duration_ms} ms"
        )
