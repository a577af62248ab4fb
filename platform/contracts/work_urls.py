from django.urls import path

from contracts import work_views as views

urlpatterns = [
    path("<int:pk>/milestones/<int:milestone_pk>/", views.confirm, name="milestone"),
    path("<int:pk>/ledger/", views.confirm, name="ledger"),
    path("<int:pk>/evaluate/", views.confirm, name="evaluate"),
    path("<int:pk>/report/", views.confirm, name="report"),
    path("<int:pk>/close/", views.confirm, name="close"),
]
