"""The figures as downloads: the current snapshot, every value suppressed as on the page."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import http_date
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from core.spreadsheets import safe_cell
from transparency.figures import SMALL_COUNT
from transparency.selectors import EXPORT_COLUMNS, figures_export, snapshot_current


def _snapshot():
    snapshot = snapshot_current()
    if snapshot is None:
        raise Http404(gettext("No figures have been computed yet."))
    return snapshot


def _dated(response: HttpResponse, snapshot, filename: str) -> HttpResponse:
    response["Last-Modified"] = http_date(snapshot.generated_at.timestamp())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def figures_csv(request: HttpRequest) -> HttpResponse:
    """UTF-8 with a BOM (so that spreadsheet programs read the Chinese), one figure per
    row, each row naming when its snapshot was generated; every cell formula-safe."""
    snapshot = _snapshot()
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for record in figures_export(snapshot):
        writer.writerow([safe_cell(_cell(record[column])) for column in EXPORT_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _dated(response, snapshot, f"safetynet-figures-{snapshot.as_of:%Y%m%d}.csv")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


@require_safe
def figures_json(request: HttpRequest) -> HttpResponse:
    snapshot = _snapshot()
    body = {
        "generated_at": snapshot.generated_at.isoformat(),
        "figures_up_to": snapshot.as_of.isoformat(),
        "small_count_rule": gettext(
            "Any count of needs or people below %(n)d, and any average over fewer than %(n)d needs, is shown as "
            "“fewer than %(n)d” with no number."
        )
        % {"n": SMALL_COUNT},
        "records": figures_export(snapshot),
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return _dated(response, snapshot, f"safetynet-figures-{snapshot.as_of:%Y%m%d}.json")
