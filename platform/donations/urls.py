from django.urls import path

from donations import views

app_name = "donations"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("open/<int:need_pk>/", views.campaign_open, name="open"),
    path("<int:pk>/manage/", views.campaign_manage, name="manage"),
    path("<int:pk>/manage/<uuid:public_id>/refund/", views.donation_refund, name="refund"),
    path("pay/<uuid:public_id>/", views.pay, name="pay"),
    path("pay/<uuid:public_id>/confirm/", views.confirm, name="confirm"),
    path("pay/<uuid:public_id>/done/", views.done, name="done"),
]
