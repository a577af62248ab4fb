"""The demo's report: in the auditors' queue, opened by the code in the docs, seeded once."""

from __future__ import annotations

import pytest

from reports.models import Report
from reports.selectors import report_for_code
from website.demo_reports import DEMO_CODE, seed_report

pytestmark = pytest.mark.django_db


def test_the_demo_report_is_seeded_once_and_its_documented_code_opens_it():
    seed_report()
    seed_report()

    report = Report.objects.get()
    assert report_for_code(DEMO_CODE) == report
    assert report_for_code("demo-repo-rt26-safe") == report  # as a person might type it
    assert report.events.count() == 1
