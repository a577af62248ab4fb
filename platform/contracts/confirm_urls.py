"""The beneficiary's page: short, because it may be typed from a printed card."""

from django.urls import path

from contracts import work_views

app_name = "confirm"

urlpatterns = [path("<str:token>/", work_views.confirm, name="page")]
