"""The public tracking pages at /t/ and the webhooks at /api/v1/, as talentloop/urls.py and
talentloop/api.py mount them, for tests that must not depend on the site's wiring."""

from django.urls import include, path
from ninja import NinjaAPI

from talentloop.core.api import ApiRenderer, install_error_handlers
from talentloop.outreach.api_webhooks import router

api = NinjaAPI(urls_namespace="outreach-webhooks-test", docs_url=None, renderer=ApiRenderer())
install_error_handlers(api)
api.add_router("/", router)

urlpatterns = [
    path("t/", include("talentloop.outreach.urls_public")),
    path("api/v1/", api.urls),
]
