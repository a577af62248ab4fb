"""axe-core over every public page and every role's main pages (issues 8 and 25): no
serious or critical violation, at 1280 and 375 px, in both languages.

The public pages are the ones a visitor reaches by following links from the home page in
either language (tests/public_site.py), two of each shape of address, so a public page
added later is checked without being listed here. A role's main pages are the links its
navigation gives it (accounts.policy.navigation_for), in Chinese and under /en/, so a page
added to a role's navigation is checked too. Each page is loaded once, axe-core (from npm,
vendored under tests/e2e/vendor/, never a CDN) is injected and run with its default rules
(WCAG 2.0-2.2 A and AA among them) at 1280 px, then again after the viewport is narrowed to
375 px. One browser and one context per person keep the run to about a minute and a half.

Beside axe, each page is checked for what axe does not see: an aria-describedby or
aria-labelledby naming an id that is not on the page (a message a screen reader would
never read with its field).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import DESKTOP, MOBILE, TIMEOUT_MS, sign_in
from tests.public_site import crawl

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
WIDTHS = (DESKTOP, MOBILE)

# The people issue 25 names, each with their main pages (their navigation) and the pages
# their work starts from that the navigation does not list.
ROLES = {
    "caseworker@safetynet.test": ("/needs/new/",),
    "social.worker@safetynet.test": ("/needs/search/?area=1",),
    "finance@safetynet.test": (),
    "vetting@safetynet.test": (),
    "auditor@safetynet.test": ("/audit/reports/",),
}
# Staff tools with their own (Wagtail's, Django's) markup, and the account pages.
NOT_OURS = ("cms", "admin")

RUN_AXE = """async (blocking) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => blocking.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""

# Every id an aria-describedby or aria-labelledby names, that no element on the page has.
MISSING_IDREFS = """() => {
  const missing = [];
  for (const attr of ["aria-describedby", "aria-labelledby"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(`${attr}=${id} on ${el.outerHTML.slice(0, 80)}`);
      }
    }
  }
  return missing;
}"""


def _context(browser):
    # The site's Content-Security-Policy rightly refuses injected scripts; axe is ours.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def check_page(page, url: str) -> list[str]:
    """Load ``url`` once and check it at each width; the problems found, one a line."""
    page.set_viewport_size(DESKTOP)
    page.goto(url, wait_until="load")
    page.add_script_tag(path=str(AXE))
    problems = []
    for width in WIDTHS:
        page.set_viewport_size(width)
        for v in page.evaluate(RUN_AXE, list(BLOCKING)):
            where = ", ".join(v["nodes"])
            problems.append(f"{url} @{width['width']}: {v['impact']} {v['id']} ({v['help']}) at {where}")
    for missing in page.evaluate(MISSING_IDREFS):
        problems.append(f"{url}: {missing}")
    return problems


def test_axe_finds_a_known_violation(browser):
    """The run can fail: an image without a text alternative is a critical violation."""
    context = _context(browser)
    page = context.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="/x.png"></main></html>')
    page.add_script_tag(path=str(AXE))
    assert [v["id"] for v in page.evaluate(RUN_AXE, list(BLOCKING))] == ["image-alt"]
    page.set_content('<html lang="en"><title>t</title><main><p aria-describedby="gone">x</p></main></html>')
    assert page.evaluate(MISSING_IDREFS) == ['aria-describedby=gone on <p aria-describedby="gone">x</p>']
    context.close()


def test_every_public_page_passes_axe(browser, base_url):
    pages = [fetched.url for fetched in crawl(per_shape=2) if fetched.is_page]
    assert len(pages) >= 10, pages
    pages += _confirmation_page()

    context = _context(browser)
    page = context.new_page()
    problems = [p for url in pages for p in check_page(page, base_url + url)]
    context.close()
    assert not problems, "\n".join(problems)


def test_every_role_main_pages_pass_axe(browser, base_url):
    problems = []
    checked = 0
    for email, extra in ROLES.items():
        context = _context(browser)
        page = context.new_page()
        sign_in(page, base_url, email)
        nav = page.locator("[data-testid=main-nav] a[data-nav]").evaluate_all(
            "els => els.map(e => [e.dataset.nav, e.getAttribute('href')])"
        )
        paths = [href for key, href in nav if key not in NOT_OURS and href.startswith("/")]
        paths += [p for p in extra if p not in paths]
        assert "/dashboard/" in paths, (email, nav)
        for path in paths:
            for url in (path, "/en" + path):
                problems += check_page(page, base_url + url)
                checked += 1
        context.close()
    assert checked >= 40, checked
    assert not problems, "\n".join(problems)


def _confirmation_page() -> list[str]:
    """The beneficiary's confirmation page (issue 25): a link asked for on a service
    milestone of a contract in force, in both languages."""
    from django.contrib.auth import get_user_model

    from contracts.exceptions import InvalidTransition
    from contracts.models import ContractState, Milestone
    from contracts.services import confirmation_create

    worker = get_user_model().objects.get(email="social.worker@safetynet.test")
    for milestone in Milestone.objects.filter(contract__state=ContractState.ACTIVE).order_by("pk"):
        try:
            _, token, _ = confirmation_create(milestone=milestone, by=worker)
        except InvalidTransition:  # not a service milestone, or not open: the next one
            continue
        return [f"/c/{token}/", f"/en/c/{token}/"]
    raise AssertionError("the demo has no service milestone open for a confirmation")


# --- What a check by hand found (issue 25, items 3-7) ----------------------------------

NARROWEST = {"width": 320, "height": 640}


def _scrolls_sideways(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_pages_reflow_at_320_px_and_register_links_are_24_px(browser, base_url):
    context = _context(browser)
    page = context.new_page()
    page.set_viewport_size(NARROWEST)
    for path in ("/open-data/", "/en/open-data/", "/contracts/", "/en/contracts/"):
        page.goto(base_url + path)
        assert not _scrolls_sideways(page), path  # WCAG 1.4.10
    page.set_viewport_size(MOBILE)
    page.goto(base_url + "/en/contracts/")
    heights = page.locator("[data-testid=register-row] a").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 24, heights  # WCAG 2.5.8
    context.close()


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(n) for n in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


def test_the_focus_ring_stands_out_from_the_page(page, base_url):
    """WCAG 1.4.11: the ring's dark part is 3:1 or more against the page, the yellow part
    against the blue header; the yellow alone was 1.6:1 on white."""
    page.goto(base_url + "/en/contracts/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link, on the blue header
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                  return {outline: s.outlineColor, width: s.outlineWidth, shadow: s.boxShadow,
                          header: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
                          body: getComputedStyle(document.documentElement).backgroundColor}; }"""
    )
    ring = _rgb(style["shadow"])
    assert style["width"] == "3px" and "6px" in style["shadow"], style
    for background in ((255, 255, 255), _rgb(style["body"])):
        assert _contrast(ring, background) >= 3, (style, background)
    assert _contrast(_rgb(style["outline"]), _rgb(style["header"])) >= 3, style


def test_chinese_data_on_english_pages_is_marked_chinese(page, base_url):
    """WCAG 3.1.2: names and titles from the records are read with Chinese rules."""
    page.goto(base_url + "/en/contracts/")
    unmarked = page.evaluate(
        """() => {
          const cjk = /[\\u3400-\\u9fff]/, found = [];
          const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
          while (walk.nextNode()) {
            const node = walk.currentNode, owner = node.parentElement;
            if (!cjk.test(node.data) || owner.closest('[hidden]')) continue;
            if (!(owner.closest('[lang]').lang || '').startsWith('zh')) found.push(node.data.trim().slice(0, 40));
          }
          return found;
        }"""
    )
    assert page.locator("main [lang=zh-Hans]").count() >= 20
    assert not unmarked, unmarked


def _failed_submit(page, url: str, form: str, fill=None) -> None:
    page.goto(url)
    if fill:
        fill(page)
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").last.click()


def _errors_are_summarised_and_tied_to_their_fields(page) -> None:
    summary = page.get_by_test_id("error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert page.locator("[role=alert]").count() == 1
    links = summary.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href').slice(1))")
    assert links
    for target in links:
        assert page.locator(f"[id='{target}']").count() == 1, target
    assert page.evaluate(MISSING_IDREFS) == []
    # Every field marked invalid (or its group of radios) names its message, which is there to read.
    invalid = page.locator("[aria-invalid=true]").evaluate_all(
        "els => els.map(e => (e.getAttribute('aria-describedby')"
        " || e.closest('fieldset[aria-describedby]')?.getAttribute('aria-describedby') || '')"
        ".split(' ').filter(i => i.endsWith('_error')))"
    )
    assert invalid and all(ids for ids in invalid), invalid


def test_a_failed_submit_is_summarised_with_each_error_tied_to_its_field(page, base_url):
    # The public report form, in both languages.
    for prefix in ("", "/en"):
        _failed_submit(page, f"{base_url}{prefix}/report/", "[data-testid=report-form]")
        _errors_are_summarised_and_tied_to_their_fields(page)
    # The caseworker's need form (the browser's own checks off, as for a person whose
    # browser has none: the server's are the ones that count).
    sign_in(page, base_url, "caseworker@safetynet.test")
    for prefix in ("", "/en"):
        page.goto(f"{base_url}{prefix}/needs/new/")
        page.evaluate("() => document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        with page.expect_navigation():
            page.locator("main form[method=post] button[type=submit]").last.click()
        _errors_are_summarised_and_tied_to_their_fields(page)
