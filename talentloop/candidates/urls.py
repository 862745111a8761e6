from django.urls import path

from talentloop.candidates import views

app_name = "candidates"
urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("new", views.candidate_create, name="create"),
    path("<int:candidate_id>/", views.candidate_detail, name="detail"),
    path("<int:candidate_id>/edit", views.candidate_edit, name="edit"),
    path("<int:candidate_id>/delete", views.candidate_delete, name="delete"),
    path("<int:candidate_id>/export", views.candidate_export, name="export"),
    path("<int:candidate_id>/notes", views.note_add, name="note_add"),
    path("<int:candidate_id>/touchpoints", views.touchpoint_log, name="touchpoint_log"),
    path("<int:candidate_id>/consent", views.consent_record, name="consent_record"),
    path("<int:candidate_id>/confirm-current", views.confirm_current, name="confirm_current"),
    path("<int:candidate_id>/contact-status", views.contact_status, name="contact_status"),
    path("refresh/", views.refresh_queue, name="refresh"),
    path("refresh/settings", views.refresh_settings, name="refresh_settings"),
    path("reminders/<int:note_id>/done", views.reminder_done, name="reminder_done"),
]
