from django.urls import path

from talentloop.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new", views.job_new, name="new"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/edit", views.job_edit, name="edit"),
    path("<int:job_id>/status", views.job_status, name="status"),
    path("<int:job_id>/delete", views.job_delete, name="delete"),
]
