from django.urls import path

from talentloop.matching import views

app_name = "matching"
urlpatterns = [
    path("jobs/<int:job_id>/status.json", views.rediscovery_status, name="status"),
    path("jobs/<int:job_id>/rediscover", views.rediscover, name="rediscover"),
    path("jobs/<int:job_id>/weights", views.tune_weights, name="weights"),
    path("suggestions/<int:suggestion_id>/decision", views.decide, name="decide"),
    path("candidates/<int:candidate_id>/similar", views.similar, name="similar"),
]
