"""The public site as a visitor without an account finds it: every page and download
reachable by following links from the home page, in both languages.

Shared by the privacy crawl (tests/test_public_privacy.py), which reads every response,
and the accessibility run (tests/e2e/test_accessibility.py), which opens every page in
Chromium. Both therefore cover whatever public page is added later without being told.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html import unescape
from urllib.parse import urldefrag, urlsplit

from django.test import Client

START = ("/", "/en/")

# Where a visitor is sent to sign in, or where staff work: not the public site.
NOT_PUBLIC = (
    "/accounts/",
    "/en/accounts/",
    "/cms/",
    "/admin/",
    "/static/",
    "/i18n/",
    "/healthz",
)
# A faceted list makes a page per combination of filters, and the region browser a page per
# county of China: a few of each shape of address show what that page does with data.
QUERY_VARIANTS_PER_PATH = 4
MAX_URLS = 1500
DIGITS = re.compile(r"\d+")

LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#][^"']*)["']""", re.IGNORECASE)
TEXTUAL = ("text/", "application/json", "application/ld+json", "application/xml", "application/javascript")


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: str  # the decoded text; empty for binary downloads (images, PDFs)
    headers: str

    @property
    def is_page(self) -> bool:
        return self.status == 200 and self.content_type.startswith("text/html")


def _links(page: Fetched) -> list[str]:
    found = []
    for raw in LINK.findall(page.body):
        url, _ = urldefrag(unescape(raw).strip())
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue  # another site, mailto:, javascript: or a relative oddity
        found.append(url)
    return found


def _public(url: str) -> bool:
    path = urlsplit(url).path
    return not any(path.startswith(prefix) for prefix in NOT_PUBLIC) and "logout" not in path


def crawl(client: Client | None = None, *, start: tuple[str, ...] = START, per_shape: int = 25) -> list[Fetched]:
    """Every public URL reachable from ``start``, fetched once each (redirects followed as
    links, so a page that sends a visitor to sign in is simply not public), with at most
    ``per_shape`` addresses that differ only in their numbers (``/regions/110101/``)."""
    client = client or Client()
    queue = list(start)
    seen: set[str] = set(queue)
    variants: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    fetched: list[Fetched] = []
    while queue and len(fetched) < MAX_URLS:
        url = queue.pop(0)
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        streaming = getattr(response, "streaming", False)
        raw = b"".join(response.streaming_content) if streaming else response.content
        text = raw.decode(response.charset or "utf-8", "replace") if content_type.startswith(TEXTUAL) else ""
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        page = Fetched(url=url, status=response.status_code, content_type=content_type, body=text, headers=headers)
        fetched.append(page)
        targets = _links(page) if page.is_page else []
        if response.status_code in (301, 302, 303, 307, 308):
            targets = [response["Location"]]
        for target in targets:
            if target in seen or not _public(target):
                continue
            path, _, query = target.partition("?")
            shape = DIGITS.sub("#", path)
            if shape != path:
                if shapes[shape] >= per_shape:
                    continue
                shapes[shape] += 1
            if query:
                if variants[path] >= QUERY_VARIANTS_PER_PATH:
                    continue
                variants[path] += 1
            seen.add(target)
            queue.append(target)
    return fetched
