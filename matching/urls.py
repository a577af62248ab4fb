from django.urls import path

from matching import saved_views

app_name = "matching"
urlpatterns = [
    path("needs/saved/", saved_views.saved_searches, name="saved"),
    path("needs/saved/<int:pk>/", saved_views.saved_search_change, name="saved_change"),
    path("alerts/unsubscribe/<str:token>/", saved_views.unsubscribe, name="unsubscribe"),
]
