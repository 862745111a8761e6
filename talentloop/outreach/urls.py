"""Outreach pages, mounted at /outreach/: home, sequences, enrolment, campaigns."""

from django.urls import path

from talentloop.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("sequences/new", views.sequence_edit, name="sequence_create"),
    path("sequences/<int:sequence_id>/", views.sequence_detail, name="sequence"),
    path("sequences/<int:sequence_id>/edit", views.sequence_edit, name="sequence_edit"),
    path("sequences/<int:sequence_id>/status", views.sequence_status, name="sequence_status"),
    path("sequences/<int:sequence_id>/delete", views.sequence_delete, name="sequence_delete"),
    path("sequences/<int:sequence_id>/enroll", views.enroll, name="enroll"),
    path("enroll/", views.enroll_start, name="enroll_start"),
    path(
        "enrollments/<int:enrollment_id>/<str:action>",
        views.enrollment_action,
        name="enrollment_action",
    ),
    path("campaigns/new", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/edit", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/status", views.campaign_status, name="campaign_status"),
    path("campaigns/<int:campaign_id>/delete", views.campaign_delete, name="campaign_delete"),
]
