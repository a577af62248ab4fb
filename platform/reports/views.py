"""The public's side of reports: file one, then follow it with its tracking code.

Anyone may use these pages, signed in or not, and nothing here is linked to an account.
Every refusal of a submission (rate limit, honeypot, timing, bad input, duplicate)
says what happened and stores nothing (see ``reports.guards``).
"""

from __future__ import annotations

import time
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import ratelimit
from reports import guards, services
from reports.exceptions import ReportError
from reports.forms import FollowUpForm, ReportForm, TrackForm
from reports.models import Report
from reports.selectors import report_for_code
from reports.workflow import OPEN_STATES

# How long a code, once entered, keeps the report open in this browser.
TRACKING_SECONDS = 30 * 60
_SESSION_KEY = "reports.tracking"

STAMP_MESSAGES = {
    guards.StampProblem.MISSING: gettext_lazy(
        "This form could not be checked. Please send it from the report page again; your text is kept below."
    ),
    guards.StampProblem.TOO_FAST: gettext_lazy(
        "The form was sent too quickly after it was shown. Check what you wrote, then send it again."
    ),
    guards.StampProblem.STALE: gettext_lazy(
        "The form was open too long and has expired. Check what you wrote, then send it again."
    ),
}


def _private(response: HttpResponse) -> HttpResponse:
    # A tracking code or a report must stay out of caches, search engines and referrers.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


def _slow_down(request: HttpRequest, limit: ratelimit.Limit) -> HttpResponse:
    minutes = max(1, limit.window // 60)
    return _private(render(request, "reports/slow_down.html", {"minutes": minutes}, status=429))


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = ReportForm(initial={"issued": guards.issue_stamp()})
        return _private(render(request, "reports/new.html", {"form": form}))
    if ratelimit.over_limit(guards.FILE_LIMIT, request):
        return _slow_down(request, guards.FILE_LIMIT)
    ratelimit.count(guards.FILE_LIMIT, request)
    data = request.POST.copy()
    stamp_problem = guards.check_stamp(data.get("issued", ""))
    data["issued"] = guards.issue_stamp()  # for the page shown again; the timing was checked above
    if data.get("website"):
        # A robot filled in the field people never see: keep nothing it sent.
        form = ReportForm(initial={"issued": data["issued"]})
        refused = _(
            "Your report could not be accepted. If a browser add-on fills in forms for you, turn it off and try again."
        )
        return _private(render(request, "reports/new.html", {"form": form, "refused": refused}, status=400))
    form = ReportForm(data, request.FILES)
    if stamp_problem:
        form.is_valid()  # show any problem with the text at the same time
        form.add_error(None, STAMP_MESSAGES[stamp_problem])
    elif form.is_valid():
        cleaned = form.cleaned_data
        try:
            report, code = services.report_file(
                subject_kind=cleaned["subject_kind"],
                subject_text=cleaned["subject_text"],
                description=cleaned["description"],
                files=cleaned["attachments"],
                contact_name=cleaned["contact_name"],
                contact_email=cleaned["contact_email"],
                contact_phone=cleaned["contact_phone"],
                language=translation.get_language() or "",
            )
        except ReportError as exc:
            form.add_error(None, str(exc))
        else:
            return _private(render(request, "reports/filed.html", {"code": code, "report": report}))
    if form.files:
        form.add_error(None, _("Files are not kept when a form is refused: choose them again."))
    return _private(render(request, "reports/new.html", {"form": form}, status=400))


# --- Tracking --------------------------------------------------------------------


def _tracked(request: HttpRequest) -> Report | None:
    """The report this browser opened with its code, for the next half hour."""
    held = request.session.get(_SESSION_KEY)
    if not isinstance(held, dict) or held.get("until", 0) < time.time():
        return None
    pk: Any = held.get("pk")  # from the session: a report id, or missing (finds nothing)
    return Report.objects.filter(pk=pk).prefetch_related("events", "files").first()


def _status_page(request: HttpRequest, report: Report, form: FollowUpForm | None = None, status: int = 200):
    additions = [e for e in report.events.all() if e.action == "follow_up"]
    context = {
        "report": report,
        "additions": additions,
        "can_add": report.state in OPEN_STATES,
        "form": form or FollowUpForm(),
    }
    return _private(render(request, "reports/status.html", context, status=status))


@require_http_methods(["GET", "POST"])
def report_track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        report = _tracked(request)
        if report is not None:
            return _status_page(request, report)
        return _private(render(request, "reports/track.html", {"form": TrackForm()}))
    if ratelimit.over_limit(guards.TRACK_LIMIT, request):
        return _slow_down(request, guards.TRACK_LIMIT)
    form = TrackForm(request.POST)
    report = report_for_code(form.cleaned_data["code"]) if form.is_valid() else None
    if report is None:
        if form.is_valid():
            ratelimit.count(guards.TRACK_LIMIT, request)
            # The same words for a mistyped code and one that never existed.
            form.add_error("code", _("No report matches this code. Check it and try again."))
        return _private(render(request, "reports/track.html", {"form": form}, status=400))
    request.session.cycle_key()
    request.session[_SESSION_KEY] = {"pk": report.pk, "until": time.time() + TRACKING_SECONDS}
    return redirect("reports:track")


@require_POST
def report_add(request: HttpRequest) -> HttpResponse:
    report = _tracked(request)
    if report is None:
        messages.error(request, _("Enter your tracking code again to add information."))
        return redirect("reports:track")
    if ratelimit.over_limit(guards.FOLLOW_UP_LIMIT, request):
        return _slow_down(request, guards.FOLLOW_UP_LIMIT)
    ratelimit.count(guards.FOLLOW_UP_LIMIT, request)
    form = FollowUpForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_follow_up(
                report=report, text=form.cleaned_data["text"], files=form.cleaned_data["attachments"]
            )
        except ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you: your information was added to the report."))
            return redirect("reports:track")
    return _status_page(request, cast(Report, _tracked(request)), form, status=400)  # tracked above


@require_POST
def report_forget(request: HttpRequest) -> HttpResponse:
    """Close the report in this browser (a shared computer)."""
    request.session.pop(_SESSION_KEY, None)
    return redirect("reports:track")
