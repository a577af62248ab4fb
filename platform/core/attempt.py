"""The one way a view runs a service: a refusal of the person is a 403, any other
refusal a message (nothing changed), success a confirmation."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.errors import DomainError, NotAllowed


def attempt[T](request: HttpRequest, call: Callable[[], T], *, success: str = "") -> T | None:
    """Run ``call``. ``NotAllowed`` becomes PermissionDenied (a 403 that names nothing);
    any other ``DomainError`` becomes an error message and its problems one message each,
    and None is returned; on success ``success`` (when given) is shown and the result
    returned."""
    try:
        result = call()
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        for problem in exc.problems:
            messages.error(request, problem)
        return None
    if success:
        messages.success(request, success)
    return result
