"""Saved searches and their alerts: a new need that fits tells the member in the
notification centre and, by their choice, by email at once or in a daily digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.i18n import path_in_language
from matching.models import AlertFrequency, SavedSearch, SearchAlert
from needs.models import Need
from notifications.services import notify, url_for

MAX_SAVED_SEARCHES = 20


class SavedSearchError(Exception):
    pass


def saved_search_create(*, user, name: str, query: str, frequency: str) -> SavedSearch:
    from matching.views import canonical_query

    if frequency not in AlertFrequency.values:
        raise SavedSearchError(_("Choose how you want to be told."))
    if not name.strip():
        raise SavedSearchError(_("Give the search a name."))
    if user.saved_searches.count() >= MAX_SAVED_SEARCHES:
        raise SavedSearchError(_("You can keep at most %(n)d saved searches.") % {"n": MAX_SAVED_SEARCHES})
    return SavedSearch.objects.create(
        user=user, name=name.strip()[:80], query=canonical_query(query), frequency=frequency
    )


def saved_search_unsubscribe(*, token: str) -> SavedSearch | None:
    """One click from an email: no more emails for this search (in-app alerts remain)."""
    saved = SavedSearch.objects.filter(token=token).first()
    if saved is not None and saved.frequency != AlertFrequency.OFF:
        saved.frequency = AlertFrequency.OFF
        saved.save(update_fields=["frequency"])
    return saved


def request_of(saved: SavedSearch, *, only: int | None = None):
    from matching.fit import acting_organisation
    from matching.views import parse

    organisation = acting_organisation(saved.user)
    paths = tuple(r.path for r in organisation.service_regions.all()) if organisation else ()
    request = parse(QueryDict(saved.query), service_paths=paths, can_fit=False)
    if only is not None:
        request = replace(request, filters=replace(request.filters, ids=(only,)), page=1)
    return request


def alert_saved_searches(need_id: int) -> int:
    """Tell the owner of every saved search the need now fits (once per search and need)."""
    from matching.selectors import search_needs

    need = Need.objects.filter(pk=need_id).first()
    if need is None:
        return 0
    told = 0
    for saved in SavedSearch.objects.filter(user__is_active=True).select_related("user"):
        if saved.alerts.filter(need=need).exists():
            continue
        if need.pk not in search_needs(saved.user, request_of(saved, only=need.pk)).ids:
            continue
        try:
            with transaction.atomic():
                alert = SearchAlert.objects.create(saved_search=saved, need=need)
        except IntegrityError:
            continue  # told by a concurrent run
        notify(
            user=saved.user,
            event="saved_search_match",
            params={"search": saved.name, "need": need.reference, "title": need.title},
            url=url_for("needs:detail", need.pk),
        )
        if saved.frequency == AlertFrequency.IMMEDIATE:
            send_alert_email(saved, [alert])
        told += 1
    return told


def send_daily_digests(*, now=None) -> int:
    """One email per daily saved search with the needs that fitted since the last one."""
    now = now or timezone.now()
    sent = 0
    due = SavedSearch.objects.filter(frequency=AlertFrequency.DAILY, alerts__emailed_at__isnull=True).distinct()
    for saved in due.select_related("user"):
        if saved.digest_sent_at and saved.digest_sent_at > now - timedelta(hours=23):
            continue
        alerts = list(saved.alerts.filter(emailed_at__isnull=True).select_related("need"))
        if alerts:
            send_alert_email(saved, alerts)
            SavedSearch.objects.filter(pk=saved.pk).update(digest_sent_at=now)
            sent += 1
    return sent


def send_alert_email(saved: SavedSearch, alerts: list[SearchAlert]) -> None:
    """The alert or digest email, with a one-click unsubscribe link and header (RFC 8058)."""

    user = saved.user
    if not user.email or not user.is_active:
        return
    language = user.preferred_language or settings.LANGUAGE_CODE
    site = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        unsubscribe = site + path_in_language(reverse("matching:unsubscribe", args=[saved.token]), language)
        context = {
            "user": user,
            "saved": saved,
            "needs": [
                (a.need, site + path_in_language(reverse("needs:detail", args=[a.need_id]), language)) for a in alerts
            ],
            "search_url": site
            + path_in_language(reverse("needs:list"), language)
            + ("?" + saved.query if saved.query else ""),
            "unsubscribe_url": unsubscribe,
        }
        subject = render_to_string("matching/email/alert_subject.txt", context).strip()
        body = render_to_string("matching/email/alert.txt", context)
    message = EmailMessage(
        settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send()
    SearchAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=timezone.now())
