"""Check every contract's journal: each entry balances and the balances agree with
the milestones and payments (contracts.ledger.check). Exit code 1 on any problem."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from contracts import ledger
from contracts.models import Contract


class Command(BaseCommand):
    help = "Check the journal of every contract; print the contracts with problems; exit 1 if any."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Contracts read at a time.")

    def handle(self, *args, batch_size: int = 500, **options):
        checked = failing = problems_total = 0
        last_pk = 0
        while True:
            batch = list(
                Contract.objects.filter(pk__gt=last_pk).select_related("agency").order_by("pk")[: max(batch_size, 1)]
            )
            if not batch:
                break
            for contract in batch:
                problems = ledger.check(contract)
                checked += 1
                if problems:
                    failing += 1
                    problems_total += len(problems)
                    self.stdout.write(f"{contract.number} (#{contract.pk}):")
                    for problem in problems:
                        self.stdout.write(f"  - {problem}")
            last_pk = batch[-1].pk
        summary = f"{checked} contracts checked, {failing} with problems ({problems_total} problems)."
        if failing:
            self.stdout.write(self.style.ERROR(summary))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(summary))
