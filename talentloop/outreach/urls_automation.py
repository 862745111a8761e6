"""Automation pages, mounted under /outreach/automations/."""

from django.urls import path

from talentloop.outreach import views_automation as views

app_name = "outreach_automation"
urlpatterns = [
    path("import", views.import_page, name="import"),
    path("sequences/<int:sequence_id>/export", views.sequence_export, name="sequence_export"),
    path("sequences/<int:sequence_id>/dry-run", views.sequence_dry_run, name="sequence_dry_run"),
    path("campaigns/<int:campaign_id>/export", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:campaign_id>/dry-run", views.campaign_dry_run, name="campaign_dry_run"),
]
