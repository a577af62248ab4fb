from django.urls import path

from imports import views

app_name = "exports"
urlpatterns = [
    path("<str:file_format>/", views.needs_export, name="needs"),
]
