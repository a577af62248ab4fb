from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy, services
from accounts.exceptions import AccountsError, InvitationInvalid, NotAllowed
from accounts.forms import PreferencesForm
from accounts.models import Invitation, Membership
from accounts.types import AuthenticatedRequest

if TYPE_CHECKING:
    pass


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        initial={"display_name": user.display_name, "preferred_language": user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(
            user=user,
            display_name=form.cleaned_data["display_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        with translation.override(user.preferred_language):
            messages.success(request, _("Your preferences were saved."))
            return redirect(reverse("accounts:profile"))
    memberships = Membership.objects.filter(user=user).select_related("agency", "organisation")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": memberships, "is_agency_staff": policy.is_agency_staff(user)},
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link sees what it offers; accepting needs the invited account."""
    try:
        invitation = services.invitation_lookup(token=token)
    except InvitationInvalid as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except AccountsError as exc:
            messages.error(request, str(exc))
            return render(request, "accounts/invitation.html", {"invitation": invitation}, status=400)
        messages.success(
            request,
            _("You are now %(role)s at %(scope)s.")
            % {"role": membership.get_role_display(), "scope": membership.scope},
        )
        return redirect("core:dashboard")
    return render(request, "accounts/invitation.html", {"invitation": invitation})


@login_required
@require_POST
@reauthentication_required
def invitation_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except AccountsError as exc:
        # Someone with no say over this invitation learns nothing about it.
        if isinstance(exc, NotAllowed):
            raise Http404 from exc
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
    return redirect(_scope_url(invitation))


@login_required
@require_POST
@reauthentication_required
def membership_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("user", "agency", "organisation"), pk=pk)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except NotAllowed as exc:
        if membership.user_id == request.user.pk:
            messages.error(request, str(exc))
            return redirect(_scope_url(membership))
        raise Http404 from exc
    messages.success(request, _("%(user)s no longer has access.") % {"user": membership.user})
    return redirect(_scope_url(membership))


def _scope_url(item) -> str:
    if item.agency_id:
        return reverse("agencies:detail", args=[item.agency_id])
    if item.organisation_id:
        return reverse("organisations:detail", args=[item.organisation_id])
    return reverse("core:dashboard")
