from django.urls import path

from talentloop.compliance import views

app_name = "compliance"
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
]
