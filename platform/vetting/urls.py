from django.urls import path

from vetting import views

app_name = "vetting"
urlpatterns = [
    path("", views.vetting_queue, name="queue"),
    path("<int:pk>/", views.vetting_detail, name="detail"),
    path("<int:pk>/checklist/", views.vetting_checklist, name="checklist"),
    path("<int:pk>/decide/", views.vetting_decide, name="decide"),
    path("change-requests/<int:pk>/", views.change_request_decide, name="change_request"),
]

# Under /organisations/ and the organisations: namespace (config/urls.py), beside the
# organisations' own list and detail: registration, the profile and its documents.
organisation_patterns = [
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("register/", views.organisation_register, name="register"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/submit/", views.organisation_submit, name="submit"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_download, name="document"),
    path("<int:pk>/documents/<int:doc_pk>/delete/", views.document_delete, name="document_delete"),
]
