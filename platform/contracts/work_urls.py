"""The work under a contract (included by contracts.urls under /contracts/)."""

from django.urls import path

from contracts import work_views as v

M = "<int:pk>/milestones/<int:milestone_pk>/"

urlpatterns = [
    path(M, v.milestone_detail, name="milestone"),
    path(M + "records/", v.record_add, name="record_add"),
    path(M + "files/", v.file_add, name="file_add"),
    path(M + "files/<int:file_pk>/", v.file_download, name="file"),
    path(M + "submit/", v.submit, name="submit"),
    path(M + "confirmations/new/", v.confirmation_new, name="confirmation_new"),
    path(M + "disputes/<int:confirmation_pk>/", v.dispute_resolve, name="dispute_resolve"),
    path(M + "accept/", v.accept, name="accept"),
    path(M + "return/", v.return_, name="return"),
    path(M + "payments/", v.payment_record, name="payment_record"),
    path("<int:pk>/payments/<int:payment_pk>/authorise/", v.payment_authorise, name="payment_authorise"),
    path("<int:pk>/payments/<int:payment_pk>/reject/", v.payment_reject, name="payment_reject"),
    path("<int:pk>/payments/<int:payment_pk>/proof/", v.payment_proof, name="payment_proof"),
    path("<int:pk>/ledger/", v.ledger_view, name="ledger"),
    path("<int:pk>/ledger/<int:entry_pk>/reverse/", v.reverse, name="reverse"),
    path("<int:pk>/evaluate/", v.evaluate, name="evaluate"),
    path("<int:pk>/report/", v.report, name="report"),
    path("<int:pk>/close/", v.close, name="close"),
]
