"""The client address for the audit log, set once per request so that services record it
without ever seeing the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from audit.services import current_ip
from core.middleware import client_ip


class RequestContextMiddleware:
    """Make the client address available to the audit log without passing requests
    into services."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
