from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.models import Membership
from accounts.services import user_language_set
from accounts.types import AuthenticatedRequest
from agencies.selectors import agencies_visible_to
from audit.models import Outcome
from audit.services import record
from core.i18n import path_in_language
from matching.fit import recommended_for
from matching.views import search_page
from needs import views as need_views
from notifications.selectors import notifications_for
from organisations.selectors import organisations_visible_to

logger = logging.getLogger(__name__)


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("agency__region", "organisation")
    context = {
        "memberships": memberships,
        "recent_notifications": notifications_for(user)[:5],
        "agencies": agencies_visible_to(user)[:10] if policy.is_agency_staff(user) else [],
        "organisations": [m.organisation for m in memberships if m.organisation_id],
        "pending_vetting": organisations_visible_to(user)
        .filter(vetting_state__in=["submitted", "under_review"])
        .order_by("submitted_at")[:10]
        if policy.has_role(user, "vetting_officer")
        else [],
        "no_roles": not memberships and not user.is_superuser and not policy.can_access_cms(user),
        "can_register": policy.can_register_organisation(user) and not policy.organisation_ids(user),
        "recommended": recommended_for(user) if policy.organisation_ids(user) else [],
    }
    return render(request, "website/dashboard.html", context)


def _is_on_site(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language on the page you are on, and remember it on the account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not _is_on_site(request, next_url):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    # Checked again once rewritten: dropping the prefix of /en//evil.example/ leaves
    # //evil.example/, which a browser reads as another host.
    target = path_in_language(next_url, language)
    if not _is_on_site(request, target):
        target = path_in_language("/", language)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    return response


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers and feed readers ask for whatever the page says;
    without it every page logged a 404 in the console."""
    return HttpResponseRedirect(static("img/favicon.ico"))


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every configured dependency answers, 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # the probe must answer, whatever failed
        logger.warning("healthz database: %s", exc)
        checks["database"] = "error"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            logger.warning("healthz redis: %s", exc)
            checks["redis"] = "error"
    if settings.ELASTICSEARCH_URL:
        try:
            from elasticsearch import Elasticsearch

            ok = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=2).ping()
            checks["elasticsearch"] = "ok" if ok else "error"
        except Exception as exc:
            logger.warning("healthz elasticsearch: %s", exc)
            checks["elasticsearch"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    user = getattr(request, "user", None)
    record(
        action="access.denied",
        actor=user if user is not None and user.is_authenticated else None,
        summary={"path": request.path[:300], "method": request.method},
        outcome=Outcome.DENIED,
    )
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: whatever broke must not break the error page too.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "403.html",
        {"message": _("The form expired or was sent from another site. Go back, reload the page and try again.")},
        status=403,
    )


@login_required
def need_list(request: AuthenticatedRequest) -> HttpResponse:
    """/needs/: organisation members search the published needs (matching's page); agency
    staff and auditors get needs' list, which refuses anyone else."""
    user = request.user
    if policy.organisation_ids(user) and not (policy.is_agency_staff(user) or policy.can_read_audit_log(user)):
        return search_page(request)
    return need_views.need_list(request)
