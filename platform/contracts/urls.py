from django.urls import include, path

from contracts.views import contract, drafting, register

app_name = "contracts"

urlpatterns = [
    path("", register.contract_list, name="list"),
    path("new/<int:need_pk>/", drafting.contract_new, name="new"),
    path("<int:pk>/", contract.contract_detail, name="detail"),
    path("<int:pk>/edit/", drafting.contract_edit, name="edit"),
    path("<int:pk>/send/", drafting.contract_send, name="send"),
    path("<int:pk>/recall/", drafting.contract_recall, name="recall"),
    path("<int:pk>/sign/", drafting.contract_sign, name="sign"),
    path("<int:pk>/amend/", drafting.contract_amend, name="amend"),
    path("<int:pk>/discard/", drafting.contract_discard, name="discard"),
    path("<int:pk>/terminate/", drafting.contract_terminate, name="terminate"),
    path("<int:pk>/versions/<int:number>/", contract.contract_version, name="version"),
    path("<int:pk>/document/", contract.contract_document, name="document"),
    path("<int:pk>/document.pdf", contract.contract_pdf, name="pdf"),
    # The work under the contract: milestones, evidence, acceptance, payments, the
    # journal, evaluation (contracts.work_urls), and the beneficiary's page.
    path("", include("contracts.work_urls")),
]
