"""List the needs already stored whose card the identity guard refuses, by agency, so
their staff can correct them. Prints which field holds what kind of identity, never
the identity itself (not even masked). Exit code 1 when any is found."""

from __future__ import annotations

import sys
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from agencies.models import Agency
from core.identity_guard import KIND_LABELS
from needs.selectors import needs_failing_identity_guard


class Command(BaseCommand):
    help = "List stored needs whose title, summary or qualifications identify the person; exit 1 if any."

    def add_arguments(self, parser):
        parser.add_argument("--agency", help="Only this agency and those below it (its id or exact name).")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, agency: str | None = None, language: str = "zh-hans", **options):
        scope = None
        if agency:
            query = Agency.objects.filter(pk=int(agency)) if agency.isdigit() else Agency.objects.filter(name=agency)
            scope = query.first()
            if scope is None:
                raise CommandError(f"No agency {agency!r}.")
        by_agency = defaultdict(list)
        for need, leak in needs_failing_identity_guard(agency=scope):
            by_agency[need.agency].append((need, leak))
        with translation.override(language):
            for owner in sorted(by_agency, key=lambda a: a.path):
                self.stdout.write(f"{owner.name} (#{owner.pk}):")
                for need, leak in by_agency[owner]:
                    field = need._meta.get_field(leak.field).verbose_name  # type: ignore[union-attr]  # a column
                    self.stdout.write(
                        f"  {need.reference} [{need.get_state_display()}] {field}: {KIND_LABELS[leak.kind]}"
                    )
        found = sum(map(len, by_agency.values()))
        if found:
            self.stdout.write(self.style.ERROR(f"{found} needs identify the person they are about; correct them."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("No stored need identifies the person it is about."))
