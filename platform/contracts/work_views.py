"""Views of the work under a contract (built by the work-views change)."""

from django.http import Http404


def confirm(request, token):
    raise Http404
