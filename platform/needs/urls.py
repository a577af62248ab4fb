from django.urls import path

from needs import proposal_views, views

app_name = "needs"
# Joined under the needs: namespace in config/urls.py: the list (website.views.need_list:
# staff see needs' list, organisation members matching's search) and the household's
# timeline (contracts.household, which shows the contracts' payments too).
urlpatterns = [
    path("new/", views.need_create, name="create"),
    path("relatives/", views.relatives, name="relatives"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/edit/", views.need_edit, name="edit"),
    path("<int:pk>/schemes/", views.need_schemes, name="schemes"),
    path("<int:pk>/act/", views.need_act, name="act"),
    path("<int:pk>/reveal/", views.need_reveal, name="reveal"),
    path("<int:pk>/consent/", views.need_consent, name="consent"),
    path("<int:pk>/claim/", views.need_claim, name="claim"),
    path("<int:pk>/invite/", views.need_invite, name="invite"),
    path("<int:pk>/open-proposals/", proposal_views.open_for_proposals, name="open_proposals"),
    path("<int:pk>/proposal/", proposal_views.proposal_edit, name="proposal"),
    path("<int:pk>/proposal/withdraw/", proposal_views.proposal_withdraw, name="proposal_withdraw"),
    path("<int:pk>/proposals/", proposal_views.proposal_list, name="proposals"),
    path("<int:pk>/proposals/<int:proposal_pk>/score/", proposal_views.proposal_score, name="proposal_score"),
    path(
        "<int:pk>/proposals/<int:proposal_pk>/files/<int:file_pk>/",
        proposal_views.proposal_attachment,
        name="proposal_attachment",
    ),
    path("<int:pk>/award/", proposal_views.proposal_award, name="award"),
]
