"""The auditors' queue of reports from the public. Anyone else, whoever they are (the
agency or organisation reported on included), gets a 404 and learns nothing; every
object comes from ``reports_visible_to``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.types import AuthenticatedRequest
from reports import services
from reports.exceptions import NotAllowed, ReportError
from reports.forms import CloseForm, NoteForm, QueueFilterForm, ReasonForm
from reports.models import Report, ReportFile, ReportState
from reports.selectors import report_queue as queue_for
from reports.selectors import reports_visible_to
from reports.workflow import TRANSITIONS


def _auditor(request: HttpRequest) -> None:
    if not policy.can_handle_reports(request.user):
        raise Http404


def _report(request: HttpRequest, pk: int) -> Report:
    _auditor(request)
    return get_object_or_404(reports_visible_to(request.user), pk=pk)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def report_queue(request: AuthenticatedRequest) -> HttpResponse:
    _auditor(request)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    reports = queue_for(request.user, state=filters.get("state", ""), subject_kind=filters.get("subject_kind", ""))
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return _no_store(render(request, "reports/queue.html", {"form": form, "page": page, "now": timezone.now()}))


@login_required
def report_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    services.report_viewed(report=report, by=request.user)
    context = {
        "report": report,
        "events": report.events.select_related("by").prefetch_related("files"),
        "files": report.files.all(),
        "can_start": report.state == ReportState.OPEN,
        "can_close": report.state in TRANSITIONS["close"].sources,
        "can_reopen": report.state in TRANSITIONS["reopen"].sources,
        "close_form": CloseForm(),
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
    }
    return _no_store(render(request, "reports/detail.html", context))


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


DONE_MESSAGES = {
    "start": gettext_lazy("You are now looking into report %(report)s."),
    "close": gettext_lazy("Report %(report)s is closed with its outcome."),
    "reopen": gettext_lazy("Report %(report)s is open again."),
}


@login_required
@require_POST
def report_act(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    action = request.POST.get("action", "")
    kwargs = {}
    form_class = {"close": CloseForm, "reopen": ReasonForm}.get(action)
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("report_queue:detail", report.pk)
        kwargs = dict(form.cleaned_data)
    try:
        services.report_transition(report=report, action=action, by=request.user, **kwargs)
    except NotAllowed as exc:
        raise Http404 from exc
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        # Say what just happened to this report; a bare "done" (已完成) read as the report
        # being finished, or as news about some other one.
        message = DONE_MESSAGES.get(action, _("Report %(report)s: saved."))
        messages.success(request, message % {"report": report.reference})
    return redirect("report_queue:detail", report.pk)


@login_required
@require_POST
def report_note(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.report_note(report=report, by=request.user, text=form.cleaned_data["text"])
        except ReportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Note added."))
    return redirect("report_queue:detail", report.pk)


@login_required
def report_file_download(request: AuthenticatedRequest, pk: int, file_pk: int) -> FileResponse:
    """Only through this view, only for auditors, each download audited, always as an
    attachment that may run nothing."""
    report = _report(request, pk)
    stored = get_object_or_404(ReportFile, report=report, pk=file_pk)
    response = FileResponse(
        services.report_file_open(stored=stored, by=request.user),
        as_attachment=True,
        filename=stored.display_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
