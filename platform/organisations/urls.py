from django.urls import path

from organisations import views

# The organisation's page and those it edits its profile and documents on are vetting's
# (vetting.urls.organisation_patterns); config/urls.py joins both under organisations:.
urlpatterns = [
    path("", views.organisation_list, name="list"),
]
