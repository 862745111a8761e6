"""Template and snippet pages, mounted under /outreach/ (templates/…, snippets/…)."""

from django.urls import path

from talentloop.outreach import views_templates as views

app_name = "outreach_templates"
urlpatterns = [
    path("templates/", views.template_list, name="list"),
    path("templates/new", views.template_edit, name="create"),
    path("templates/preview", views.template_preview, name="preview_new"),
    path("templates/<int:template_id>/", views.template_edit, name="edit"),
    path("templates/<int:template_id>/preview", views.template_preview, name="preview"),
    path("templates/<int:template_id>/delete", views.template_delete, name="delete"),
    path("snippets/", views.snippet_list, name="snippet_list"),
    path("snippets/new", views.snippet_edit, name="snippet_create"),
    path("snippets/<int:snippet_id>/", views.snippet_edit, name="snippet_edit"),
    path("snippets/<int:snippet_id>/delete", views.snippet_delete, name="snippet_delete"),
]
