"""The beneficiary's page: short, because it may be typed from a printed card."""

from django.urls import path

from contracts.views import confirm

app_name = "confirm"

urlpatterns = [path("<str:token>/", confirm.confirm, name="page")]
