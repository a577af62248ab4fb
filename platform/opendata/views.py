"""/open-data/: what can be downloaded, and the downloads themselves, served from the
files the publication wrote (opendata.publish)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from opendata.downloads import (
    DOWNLOADS,
    GROUP_TITLES,
    LICENCE_NAME,
    LICENCE_TITLE,
    LICENCE_URL,
    Download,
    Group,
    by_filename,
)
from opendata.publish import WRITERS, ensure_published, published


@dataclass
class Entry:
    download: Download
    url: str
    generated_at: datetime | None
    size: int | None
    rows: int | None


def _entry(download: Download) -> Entry | None:
    try:
        url = reverse(download.url_name)
    except NoReverseMatch:  # an extension whose app is not installed here
        return None
    if download.filename:
        item = published(download.filename)
        if item is None:
            return Entry(download, url, None, None, None)
        return Entry(download, url, item.generated_at, item.size, item.rows)
    generated = download.generated_at() if download.generated_at else None
    return Entry(download, url, generated, None, None)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    groups = []
    for group in Group:
        entries = [e for e in (_entry(d) for d in DOWNLOADS if d.group == group) if e is not None]
        if entries:
            groups.append({"key": group.value, "title": GROUP_TITLES[group], "entries": entries})
    return render(
        request,
        "opendata/index.html",
        {
            "groups": groups,
            "licence_name": LICENCE_NAME,
            "licence_title": LICENCE_TITLE,
            "licence_url": LICENCE_URL,
            "ocds_prefix": settings.OCDS_PREFIX,
        },
    )


@require_safe
def download(request: HttpRequest, filename: str) -> HttpResponseBase:
    if filename not in WRITERS:
        raise Http404
    item = ensure_published(filename)
    etag = f'"{item.sha256}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        described = by_filename(filename)
        response = FileResponse(
            open(item.path, "rb"),  # noqa: SIM115 — FileResponse closes it
            content_type=described.media_type,
            as_attachment=not described.media_type.startswith("application/json"),
            filename=filename,
        )
        response["Content-Length"] = str(item.size)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(item.generated_at.timestamp())
    response["X-Generated-At"] = item.generated_at.isoformat()
    response["Cache-Control"] = "public, max-age=3600"
    # Open data: any site may fetch it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response
