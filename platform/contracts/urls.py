from django.urls import include, path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/<int:need_pk>/", views.contract_new, name="new"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/send/", views.contract_send, name="send"),
    path("<int:pk>/recall/", views.contract_recall, name="recall"),
    path("<int:pk>/sign/", views.contract_sign, name="sign"),
    path("<int:pk>/amend/", views.contract_amend, name="amend"),
    path("<int:pk>/discard/", views.contract_discard, name="discard"),
    path("<int:pk>/terminate/", views.contract_terminate, name="terminate"),
    path("<int:pk>/versions/<int:number>/", views.contract_version, name="version"),
    path("<int:pk>/document/", views.contract_document, name="document"),
    path("<int:pk>/document.pdf", views.contract_pdf, name="pdf"),
    # The work under the contract: milestones, evidence, acceptance, payments, the
    # journal, evaluation (contracts.work_urls), and the beneficiary's page.
    path("", include("contracts.work_urls")),
]
