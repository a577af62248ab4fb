"""Rebuild the search index from the needs, in batches, with a progress bar."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from needs.models import Need


class Command(BaseCommand):
    help = "Rebuild the search index of published needs (the old index answers until the new one is complete)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        from django.db import connection

        from matching.backends import get_backend
        from matching.documents import INDEXED_STATES, documents_of

        needs = Need.objects.filter(state__in=INDEXED_STATES).order_by("pk")
        total = needs.count()
        backend = get_backend()
        tty = sys.stdout.isatty()

        def progress(done: int) -> None:
            width = 30
            filled = width * done // total if total else width
            line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
            self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")

        # PostgreSQL: read on a second connection, but inside a transaction (a test's),
        # whose rows it would not see.
        read_ahead = connection.vendor == "postgresql" and not connection.in_atomic_block
        documents = documents_of(needs, chunk_size=batch_size, read_ahead=read_ahead)
        count = backend.rebuild(documents, batch_size=batch_size, progress=progress)
        if tty:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} needs on the {backend.name} backend."))
