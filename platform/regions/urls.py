from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_browse, name="browse"),
    path("suggest/", views.region_suggest, name="suggest"),
    path("<str:code>/", views.region_browse, name="detail"),
]
