"""Import pages: upload and preview, the commit with its progress bar, the template,
the error report, and the needs list export.

Only caseworkers and approvers of an agency import into it (403 for everyone else); an
import of an agency one does not record for is a 404.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.types import AuthenticatedRequest
from audit.services import record
from core.attempt import attempt
from imports import downloads, services
from imports.columns import COLUMNS
from imports.exceptions import ImportRefused, NotAllowed
from imports.models import ImportState, NeedImport
from imports.parsing import MAX_BYTES, MAX_ROWS
from imports.selectors import import_agencies_for, imports_visible_to
from needs.models import NeedState
from needs.selectors import needs_visible_to

PROBLEMS_PER_PAGE = 100


class UploadForm(forms.Form):
    agency = forms.TypedChoiceField(label=gettext_lazy("Agency"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = {a.pk: a for a in agencies}
        cast(forms.ChoiceField, self.fields["agency"]).choices = [(a.pk, str(a)) for a in agencies]
        self.fields["agency"].initial = agencies[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused from its size, before it is read.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20})
        return upload

    def clean_agency(self):
        return self.agencies[self.cleaned_data["agency"]]


def _agencies_or_403(user) -> list:
    agencies = import_agencies_for(user)
    if not agencies:
        raise PermissionDenied
    return agencies


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: AuthenticatedRequest) -> HttpResponse:
    agencies = _agencies_or_403(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_upload(
                agency=form.cleaned_data["agency"], by=request.user, name=upload.name, data=upload.read()
            )
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:detail", batch.pk)
    return render(
        request,
        "imports/start.html",
        {
            "form": form,
            "columns": COLUMNS,
            "max_rows": MAX_ROWS,
            "max_mb": MAX_BYTES // 2**20,
            "recent": imports_visible_to(request.user)[:20],
        },
    )


def _visible_import(request: HttpRequest, pk: int) -> NeedImport:
    return get_object_or_404(imports_visible_to(request.user), pk=pk)


@login_required
@require_GET
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = _visible_import(request, pk)
    labelled = [{**e, "label": downloads.column_label(e["column"])} for e in batch.errors]
    errors = Paginator(labelled, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/detail.html",
        {
            "batch": batch,
            "errors": errors,
            "page": errors,
            "error_rows": len({e["row"] for e in batch.errors if e["row"] is not None}),
            "warnings": batch.warnings[:PROBLEMS_PER_PAGE],
            "may_commit": batch.can_commit and batch.uploaded_by_id == request.user.pk,
            "may_cancel": batch.can_cancel and batch.uploaded_by_id == request.user.pk,
            "created": batch.needs.order_by("pk")[:50] if batch.state == ImportState.COMMITTED else [],
        },
    )


@login_required
@require_GET
def import_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The progress bar alone, for HTMX to poll; once the commit has ended the whole
    page reloads to show the outcome."""
    batch = _visible_import(request, pk)
    response = render(request, "imports/partials/_progress.html", {"batch": batch})
    if batch.state != ImportState.COMMITTING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _act(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    """Run ``service`` on the visible import: a refusal by role is a 403, any other
    refusal a message, success ``done``; back to the import's page either way."""
    batch = _visible_import(request, pk)
    attempt(request, lambda: service(batch=batch, by=request.user), success=done)
    return redirect("imports:detail", batch.pk)


@login_required
@require_POST
def import_commit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.import_commit_request,
        _("The import has started; the needs appear when every row is written."),
    )


@login_required
@require_POST
def import_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.import_cancel, _("The import was cancelled and its file deleted."))


def _csv_response(rows) -> HttpResponse:
    # Built whole, in the request's language (a streamed body would be rendered after
    # the locale middleware is done with the request).
    return HttpResponse("".join(downloads.csv_lines(rows)).encode("utf-8"), content_type=downloads.CSV_CONTENT_TYPE)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def import_problems(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every problem of an import as CSV (the page shows them a hundred at a time)."""
    batch = _visible_import(request, pk)
    rows = downloads.problems_rows(batch.errors + batch.warnings)
    return _attachment(_csv_response(rows), f"import-{batch.pk}-problems.csv")


@login_required
@require_GET
def import_template(request: AuthenticatedRequest, file_format: str) -> HttpResponse:
    agencies = _agencies_or_403(request.user)
    if file_format == "csv":
        return _attachment(_csv_response([downloads.template_header()]), "safetynet-needs-import.csv")
    if file_format == "xlsx":
        areas = {a.region.path: a.region for a in agencies}
        response = HttpResponse(downloads.template_xlsx(areas.values()), content_type=downloads.XLSX_CONTENT_TYPE)
        return _attachment(response, "safetynet-needs-import.xlsx")
    raise Http404


@login_required
@require_GET
def needs_export(request: AuthenticatedRequest, file_format: str) -> HttpResponse:
    """The needs list as the reader sees it, as CSV or XLSX: card fields, state and
    dates, never the person. The same readers as the list; recorded in the audit log."""
    user = request.user
    if not (policy.is_agency_staff(user) or policy.organisation_ids(user) or policy.can_read_audit_log(user)):
        raise PermissionDenied
    if file_format not in {"csv", "xlsx"}:
        raise Http404
    needs = needs_visible_to(user).order_by("-created_at", "-pk")
    state = request.GET.get("state", "")
    if state in NeedState.values:
        needs = needs.filter(state=state)
    record(action="needs.export", actor=user, summary={"format": file_format, "state": state, "rows": needs.count()})
    stamp = f"safetynet-needs-{state or 'all'}"
    if file_format == "csv":
        return _attachment(_csv_response(downloads.needs_rows(needs)), f"{stamp}.csv")
    content = downloads.xlsx_bytes([("需求 Needs", downloads.needs_rows(needs))])
    return _attachment(HttpResponse(content, content_type=downloads.XLSX_CONTENT_TYPE), f"{stamp}.xlsx")
