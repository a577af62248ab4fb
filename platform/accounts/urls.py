from django.urls import path

from accounts import views

app_name = "accounts"
# Inviting into an agency or an organisation (accounts:invite) is website.invitations,
# joined to these in config/urls.py.
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
]
