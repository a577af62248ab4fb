from django.urls import path

from transparency import directory

app_name = "directory"
urlpatterns = [
    path("", directory.directory_list, name="list"),
    path("<int:pk>/", directory.directory_detail, name="detail"),
]
