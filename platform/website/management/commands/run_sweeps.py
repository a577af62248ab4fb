import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from core.sweeps import SWEEPS, run_due


class Command(BaseCommand):
    help = "Run the periodic sweeps once, or keep running them (--loop) as the scheduler does."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running; check every --interval seconds")
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--only", help="run just this sweep")

    def handle(self, *args, loop: bool, interval: int, only: str | None, **options) -> None:
        if only and only not in SWEEPS:
            raise CommandError(f"Unknown sweep {only!r}; known: {', '.join(sorted(SWEEPS))}")
        last_run: dict = {}
        while True:
            results = run_due(last_run, only=only, force=not loop)
            for name, count in results.items():
                self.stdout.write(f"{name}: {count}")
            if not loop:
                return
            close_old_connections()
            time.sleep(interval)
