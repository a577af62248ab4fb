from django.urls import path

from reports import queue_views

app_name = "report_queue"
urlpatterns = [
    path("", queue_views.report_queue, name="list"),
    path("<int:pk>/", queue_views.report_detail, name="detail"),
    path("<int:pk>/act/", queue_views.report_act, name="act"),
    path("<int:pk>/note/", queue_views.report_note, name="note"),
    path("<int:pk>/files/<int:file_pk>/", queue_views.report_file_download, name="file"),
]
