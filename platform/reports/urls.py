from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_new, name="new"),
    path("track/", views.report_track, name="track"),
    path("track/add/", views.report_add, name="add"),
    path("track/done/", views.report_forget, name="forget"),
]
