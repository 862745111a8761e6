from django.urls import path

from talentloop.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("save", views.save_search, name="save"),
    path("saved/", views.saved_list, name="saved"),
    path("saved/<int:saved_search_id>/", views.saved_run, name="saved_run"),
    path("saved/<int:saved_search_id>/alert", views.saved_alert, name="saved_alert"),
    path("saved/<int:saved_search_id>/delete", views.saved_delete, name="saved_delete"),
]
