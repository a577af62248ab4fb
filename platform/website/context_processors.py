from __future__ import annotations

from typing import cast

from django.conf import settings
from django.http import HttpRequest

from accounts import policy
from accounts.models import User
from notifications.selectors import unread_count


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "nav_items": policy.navigation_for(user) if authenticated else [],
        "unread_notifications": unread_count(cast(User, user)) if authenticated else 0,
        "site_name": settings.SAFETYNET_SITE_NAME,
        "stripe_enabled": bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY),
    }
