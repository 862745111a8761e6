from django.urls import path

from talentloop.pools import views

app_name = "pools"
urlpatterns = [
    path("", views.pool_list, name="list"),
    path("<int:pool_id>/", views.pool_detail, name="detail"),
    path("<int:pool_id>/edit", views.pool_edit, name="edit"),
    path("<int:pool_id>/delete", views.pool_delete, name="delete"),
    path("<int:pool_id>/members", views.member_add, name="member_add"),
    path("<int:pool_id>/members/<int:candidate_id>/move", views.member_move, name="member_move"),
    path(
        "<int:pool_id>/members/<int:candidate_id>/remove",
        views.member_remove,
        name="member_remove",
    ),
    path("<int:pool_id>/check-in/", views.check_in_page, name="check_in"),
    path("<int:pool_id>/check-in/add", views.check_in, name="check_in_add"),
    path("stages/", views.stage_settings, name="stages"),
    path("segments/", views.segment_list, name="segments"),
    path("segments/new", views.segment_edit, name="segment_create"),
    path("segments/<int:segment_id>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:segment_id>/edit", views.segment_edit, name="segment_edit"),
    path("segments/<int:segment_id>/delete", views.segment_delete, name="segment_delete"),
    path("bulk/", views.bulk, name="bulk"),
    path("bulk/<int:action_id>/", views.bulk_action_detail, name="bulk_action"),
    path("bulk/<int:action_id>/status", views.bulk_action_status, name="bulk_action_status"),
    path("bulk/<int:action_id>/export.csv", views.bulk_action_download, name="bulk_download"),
    path("refer/", views.referral, name="referral"),
]
