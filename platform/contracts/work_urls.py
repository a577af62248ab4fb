"""The work under a contract (included by contracts.urls under /contracts/)."""

from django.urls import path

from contracts.views import closing, money, work

M = "<int:pk>/milestones/<int:milestone_pk>/"

urlpatterns = [
    path(M, work.milestone_detail, name="milestone"),
    path(M + "records/", work.record_add, name="record_add"),
    path(M + "files/", work.file_add, name="file_add"),
    path(M + "files/<int:file_pk>/", work.file_download, name="file"),
    path(M + "submit/", work.submit, name="submit"),
    path(M + "confirmations/new/", work.confirmation_new, name="confirmation_new"),
    path(M + "disputes/<int:confirmation_pk>/", work.dispute_resolve, name="dispute_resolve"),
    path(M + "accept/", work.accept, name="accept"),
    path(M + "return/", work.return_, name="return"),
    path(M + "payments/", money.payment_record, name="payment_record"),
    path("<int:pk>/payments/<int:payment_pk>/authorise/", money.payment_authorise, name="payment_authorise"),
    path("<int:pk>/payments/<int:payment_pk>/reject/", money.payment_reject, name="payment_reject"),
    path("<int:pk>/payments/<int:payment_pk>/proof/", money.payment_proof, name="payment_proof"),
    path("<int:pk>/ledger/", money.ledger_view, name="ledger"),
    path("<int:pk>/ledger/<int:entry_pk>/reverse/", money.reverse, name="reverse"),
    path("<int:pk>/evaluate/", closing.evaluate, name="evaluate"),
    path("<int:pk>/report/", closing.report, name="report"),
    path("<int:pk>/close/", closing.close, name="close"),
]
