"""Error pages a visitor can meet."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import html_lang, nav_keys

pytestmark = pytest.mark.e2e


def test_404_page_is_bilingual(page, base_url):
    response = page.goto(base_url + "/no-such-page-here/")

    assert response is not None and response.status == 404
    text = page.locator("main").inner_text()
    assert "页面不存在" in text
    assert "The page does not exist" in text
    assert html_lang(page) == "zh-Hans"
    assert "login" in nav_keys(page)  # the page keeps the site's header for a visitor
