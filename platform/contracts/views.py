"""Contract views (being written)."""

from django.http import Http404


def contract_list(request, **kwargs):
    raise Http404


def contract_new(request, **kwargs):
    raise Http404


def contract_detail(request, **kwargs):
    raise Http404


def contract_edit(request, **kwargs):
    raise Http404


def contract_send(request, **kwargs):
    raise Http404


def contract_recall(request, **kwargs):
    raise Http404


def contract_sign(request, **kwargs):
    raise Http404


def contract_amend(request, **kwargs):
    raise Http404


def contract_discard(request, **kwargs):
    raise Http404


def contract_terminate(request, **kwargs):
    raise Http404


def contract_version(request, **kwargs):
    raise Http404


def contract_document(request, **kwargs):
    raise Http404


def contract_pdf(request, **kwargs):
    raise Http404
