"""Inviting someone into an agency or an organisation: the invitation is accounts', the
agency and the organisation are the apps above it, so the page that joins them is here."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.exceptions import AccountsError, NotAllowed
from accounts.forms import InvitationForm
from accounts.types import AuthenticatedRequest
from agencies.models import Agency
from agencies.selectors import agencies_visible_to
from organisations.models import Organisation
from organisations.selectors import organisations_visible_to


@login_required
@require_POST
@reauthentication_required
def invite(request: AuthenticatedRequest, scope: str, pk: int) -> HttpResponse:
    """Invite someone to an agency or an organisation the inviter administers."""
    if scope == "agency":
        target: Agency | Organisation = get_object_or_404(agencies_visible_to(request.user), pk=pk)
        kwargs: dict[str, Any] = {"agency": target}  # agency= or organisation=
        back = reverse("agencies:detail", args=[pk])
    elif scope == "organisation":
        target = get_object_or_404(organisations_visible_to(request.user), pk=pk)
        kwargs = {"organisation": target}
        back = reverse("organisations:detail", args=[pk])
    else:
        raise Http404
    form = InvitationForm(request.POST, scope=scope)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        services.invitation_create(
            by=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            site_url=settings.SITE_URL,
            **kwargs,
        )
    except NotAllowed as exc:
        raise Http404 from exc
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect(back)
