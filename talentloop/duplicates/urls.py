from django.urls import path

from talentloop.duplicates import views

app_name = "duplicates"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:suggestion_id>/", views.compare, name="compare"),
    path("<int:suggestion_id>/merge", views.merge, name="merge"),
    path("<int:suggestion_id>/dismiss", views.dismiss, name="dismiss"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:merge_id>/undo", views.undo, name="undo"),
    path("scan", views.scan, name="scan"),
    path("scan/status", views.scan_status, name="scan_status"),
]
