from django.urls import path

from needs import views

app_name = "needs"
urlpatterns = [
    path("", views.need_list, name="list"),
    path("new/", views.need_create, name="create"),
    path("relatives/", views.relatives, name="relatives"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/edit/", views.need_edit, name="edit"),
    path("<int:pk>/schemes/", views.need_schemes, name="schemes"),
    path("<int:pk>/act/", views.need_act, name="act"),
    path("<int:pk>/reveal/", views.need_reveal, name="reveal"),
    path("<int:pk>/consent/", views.need_consent, name="consent"),
    path("<int:pk>/claim/", views.need_claim, name="claim"),
    path("<int:pk>/household/", views.household_timeline, name="household"),
]
