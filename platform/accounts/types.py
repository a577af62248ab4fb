"""Who is asking, as the type checker sees it; nothing here changes what runs.

``request.user`` is a ``User`` or, before sign-in, an ``AnonymousUser``: a selector that
answers both takes an ``AnyUser``. A view behind ``login_required`` takes an
``AuthenticatedRequest``, whose ``user`` is always a ``User``, and hands it to services,
which act only for someone signed in.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User

type AnyUser = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """A request that ``login_required`` (or an equivalent check) has let through."""

    user: User
