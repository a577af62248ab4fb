from django.urls import path

from transparency import views

app_name = "transparency"
urlpatterns = [
    path("figures.csv", views.figures_csv, name="figures_csv"),
    path("figures.json", views.figures_json, name="figures_json"),
]
