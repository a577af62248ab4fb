from django.urls import path

from website import invitations, views

app_name = "core"
urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]

# Joined to accounts' own patterns under the accounts: namespace (config/urls.py).
account_patterns = [path("invite/<str:scope>/<int:pk>/", invitations.invite, name="invite")]

# Joined to needs' own patterns under the needs: namespace (config/urls.py).
need_patterns = [path("", views.need_list, name="list")]
