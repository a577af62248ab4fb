"""A newcomer on the public site (issue 8's "done when"): the transparency page with real
figures, drawn charts and the agencies' timeliness table; the register as CSV and OCDS from
the open-data page; a report filed and followed with its tracking code. No account."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from tests.e2e.helpers import path_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_reads_the_figures_and_downloads_the_register(page, base_url):
    page.goto(base_url + "/")
    with page.expect_navigation():
        page.locator("[data-nav=page-transparency]").click()
    assert path_of(page) == "/transparency/"

    # Real figures from the demo's snapshot, not zeros or a placeholder.
    assert "暂无" not in page.locator("main").inner_text()
    assert page.locator(".tp-data").count() >= 3
    # ECharts (served from our static files) draws each chart above its data table.
    page.wait_for_function("document.querySelectorAll('.tp-chart-canvas canvas, .tp-chart-canvas svg').length > 0")
    drawn = page.locator(".tp-chart-canvas:not([hidden])")
    assert drawn.count() == page.locator(".tp-chart-canvas").count() >= 3
    table = page.get_by_role("table").filter(has_text="大邑县民政局")
    assert table.count() >= 1, "the agencies' days to accept and to pay"
    assert "少于5" in page.locator("main").inner_text()  # small counts are words, not numbers
    # Issue 20, item 7: in a chart too, a suppressed month is marked with its words, never
    # drawn as a zero-height bar. Every null of each chart's data has its label in the SVG.
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('[data-chart]')].map(el => {
            const data = JSON.parse(document.getElementById(el.dataset.chart).textContent);
            if (data.kind === 'pie') return [0, 0];
            const words = [...el.querySelectorAll('svg text')].filter(t => t.textContent === '少于5').length;
            return [data.values.filter(v => v === null).length, words];
        })"""
    )
    assert sum(nulls for nulls, _ in hidden) > 0, hidden
    assert all(words >= nulls for nulls, words in hidden), hidden

    with page.expect_navigation():
        page.locator("[data-nav=open-data]").click()
    csv_url = page.get_by_test_id("download-register-csv").get_by_role("link").first.get_attribute("href")
    response = page.request.get(base_url + csv_url)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert rows and all(row["contract_number"].startswith("GM") for row in rows)

    ocds_url = page.get_by_test_id("download-register-ocds").get_by_role("link").first.get_attribute("href")
    package = json.loads(page.request.get(base_url + ocds_url).text())
    assert package["releases"] and all(r["ocid"].startswith("ocds-") for r in package["releases"])
    assert {"tender", "awards", "contracts"} <= set(package["releases"][0])


def test_a_visitor_files_a_report_and_follows_it_with_the_code(page, base_url):
    page.goto(base_url + "/en/")
    with page.expect_navigation():
        page.locator("[data-nav=report]").click()
    page.get_by_label("A contract").check()
    page.get_by_label("Which one?").fill("GM2026")
    page.get_by_label("What happened?").fill(
        "The same volunteers were listed on two contracts for the same afternoon in March; the hours do not add up."
    )
    # The form refuses what is sent within seconds of being shown (a robot's speed).
    time.sleep(3.5)
    with page.expect_navigation():
        page.get_by_test_id("send-report").click()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert len(code.replace("-", "")) == 16

    with page.expect_navigation():
        page.get_by_role("link", name="Follow your report").first.click()
    page.get_by_label("Tracking code").fill(code.lower().replace("-", " "))  # as a person might type it
    with page.expect_navigation():
        page.get_by_role("button", name="Show the report").click()
    status = page.get_by_test_id("report-status").inner_text()
    assert "Received" in status
