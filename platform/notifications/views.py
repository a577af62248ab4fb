from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from notifications.selectors import notifications_for, unread_count
from notifications.services import localise_url, notifications_mark_read

if TYPE_CHECKING:
    from accounts.types import AuthenticatedRequest


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.url and notification.url.startswith("/") and not notification.url.startswith("//"):
        return redirect(localise_url(notification.url, get_language()))
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    if request.headers.get("HX-Request"):
        return render(
            request, "notifications/partials/_badge.html", {"unread_notifications": unread_count(request.user)}
        )
    return redirect("notifications:list")
