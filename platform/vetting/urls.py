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
