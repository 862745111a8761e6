"""Links inside messages, mounted at /t/ (tracking.PATH_PREFIX builds them without reversing)."""

from django.urls import path

from talentloop.outreach import views_public

app_name = "outreach_public"
urlpatterns = [
    path("o/<str:token>.gif", views_public.open_pixel, name="open"),
    path("c/<str:token>", views_public.click, name="click"),
    path("u/<str:token>", views_public.unsubscribe, name="unsubscribe"),
]
