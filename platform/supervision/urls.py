from django.urls import path

from supervision import views

app_name = "audit"  # the audit log keeps its URL names (audit:list)
urlpatterns = [path("", views.audit_list, name="list")]
