from django.urls import path

from organisations import views
from vetting import views as vetting_views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("register/", vetting_views.organisation_register, name="register"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", vetting_views.organisation_edit, name="edit"),
    path("<int:pk>/submit/", vetting_views.organisation_submit, name="submit"),
    path("<int:pk>/documents/", vetting_views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:doc_pk>/", vetting_views.document_download, name="document"),
    path("<int:pk>/documents/<int:doc_pk>/delete/", vetting_views.document_delete, name="document_delete"),
]
