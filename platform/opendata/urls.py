from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.index, name="index"),
    path("open-data/contracts.csv", views.download, {"filename": "contracts.csv"}, name="register_csv"),
    path("open-data/contracts.json", views.download, {"filename": "contracts.json"}, name="register_json"),
    path("open-data/directory-hsds.json", views.download, {"filename": "directory-hsds.json"}, name="hsds_json"),
    path("open-data/directory-hsds.zip", views.download, {"filename": "directory-hsds.zip"}, name="hsds_csv"),
    # Where OCDS users look for it, beside the register.
    path("contracts/ocds.json", views.download, {"filename": "ocds.json"}, name="ocds"),
]
