from django.urls import path

from talentloop.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:job_id>/", views.import_detail, name="detail"),
    path("<int:job_id>/run", views.import_run, name="run"),
    path("<int:job_id>/cancel", views.import_cancel, name="cancel"),
    path("<int:job_id>/status.json", views.import_status, name="status"),
    path("<int:job_id>/errors.csv", views.import_errors, name="errors"),
]
