from django.urls import path

from talentloop.resumes import views

app_name = "resumes"
urlpatterns = [
    path("", views.resume_list, name="list"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/status.json", views.batch_status, name="batch_status"),
    path("batches/<int:batch_id>/cancel", views.batch_cancel, name="batch_cancel"),
    path("<int:resume_id>/", views.resume_detail, name="detail"),
    path("<int:resume_id>/file", views.resume_file, name="file"),
    path("<int:resume_id>/pages/<int:page>.png", views.resume_page, name="page"),
    path("<int:resume_id>/reparse", views.resume_reparse, name="reparse"),
    path("skills/", views.skill_list, name="skills"),
    path("skills/<int:skill_id>/delete", views.skill_delete, name="skill_delete"),
    path("skills/unknown/<int:phrase_id>", views.phrase_action, name="phrase_action"),
]
