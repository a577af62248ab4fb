"""axe-core over every public page (issue 8): no serious or critical violation.

The pages are the ones a visitor reaches by following links from the home page in either
language (tests/public_site.py), two of each shape of address, so a public page added
later is checked without being listed here. Each is opened in Chromium, axe-core (from
npm, vendored under tests/e2e/vendor/) is injected and run with its default rules (WCAG 2
A and AA among them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import DESKTOP, TIMEOUT_MS
from tests.public_site import crawl

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN_AXE = """async (blocking) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => blocking.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def test_every_public_page_passes_axe(browser, base_url):
    pages = [fetched.url for fetched in crawl(per_shape=2) if fetched.is_page]
    assert len(pages) >= 10, pages

    # The site's Content-Security-Policy rightly refuses injected scripts; axe is ours.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # The run can fail: an image without a text alternative is a critical violation.
    page.set_content('<html lang="en"><title>t</title><main><img src="/x.png"></main></html>')
    page.add_script_tag(path=str(AXE))
    assert [v["id"] for v in page.evaluate(RUN_AXE, list(BLOCKING))] == ["image-alt"]

    problems = []
    for url in pages:
        page.goto(base_url + url, wait_until="load")
        page.add_script_tag(path=str(AXE))
        for violation in page.evaluate(RUN_AXE, list(BLOCKING)):
            where = ", ".join(violation["nodes"])
            problems.append(f"{url}: {violation['impact']} {violation['id']} ({violation['help']}) at {where}")
    context.close()
    assert not problems, "\n".join(problems)
