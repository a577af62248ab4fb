"""The charity's search in a real browser: typing updates the results in place (htmx),
the address follows the search, the back button returns to the previous results, and
the same page works with JavaScript turned off."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import DESKTOP, SOCIAL_WORKER, TIMEOUT_MS, path_of, sign_in

pytestmark = pytest.mark.e2e

MEALS = "独居老人助餐与探访"  # demo needs the charity may see
CHILDREN = "困境儿童课后照料"


def titles(page) -> list[str]:
    return page.get_by_test_id("needs").locator("h2 a").all_inner_texts()


def test_searching_updates_in_place_and_the_back_button_returns(page, base_url):
    sign_in(page, base_url, SOCIAL_WORKER)
    page.goto(base_url + "/needs/")
    assert MEALS in titles(page) and CHILDREN in titles(page)
    page.evaluate("window.__not_reloaded = true")  # gone if the page reloads

    page.get_by_test_id("search-q").fill("空巢老人")  # only a synonym of the demo's 独居老人
    page.wait_for_url(re.compile(r"q=%E7%A9%BA%E5%B7%A2"))
    page.wait_for_function(
        "(() => { const t = [...document.querySelectorAll('[data-testid=needs] h2 a')].map(a => a.innerText);"
        " return t.length > 0 && !t.includes('困境儿童课后照料'); })()"
    )
    found = titles(page)
    assert found[0] == MEALS and CHILDREN not in found  # the synonym's need first
    assert page.evaluate("window.__not_reloaded") is True

    page.get_by_test_id("search-q").fill("")
    page.wait_for_url(lambda url: "%E7%A9%BA" not in url)
    page.wait_for_function("document.body.innerText.includes('困境儿童课后照料')")
    page.locator("[data-facet=category] input[value=child_care]").check()  # a facet, in place too
    page.wait_for_url(re.compile(r"category=child_care"))
    page.wait_for_function("!document.body.innerText.includes('独居老人助餐与探访')")
    assert titles(page) == [CHILDREN]
    assert page.evaluate("window.__not_reloaded") is True

    page.go_back()
    page.wait_for_url(lambda url: "category" not in url)
    page.wait_for_function("document.body.innerText.includes('独居老人助餐与探访')")
    assert MEALS in titles(page) and CHILDREN in titles(page)


def test_the_search_works_without_javascript(browser, base_url):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, base_url, SOCIAL_WORKER)
        page.goto(base_url + "/needs/")
        page.get_by_test_id("search-q").fill("课后照料")
        with page.expect_navigation():
            page.get_by_test_id("search-submit").click()
        assert path_of(page) == "/needs/" and "q=" in page.url
        assert titles(page) == [CHILDREN]
    finally:
        context.close()
