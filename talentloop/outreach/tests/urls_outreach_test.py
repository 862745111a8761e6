"""The project's URLs plus the outreach pages and API of sequences, enrolments and campaigns,
for tests that run before (or after) they are wired into talentloop/urls.py and api.py."""

from django.urls import include, path
from ninja import NinjaAPI

from talentloop.core.api import ApiKeyAuth, ApiRenderer, MemberSessionAuth, install_error_handlers
from talentloop.outreach.api import router
from talentloop.urls import handler403, handler404
from talentloop.urls import urlpatterns as project_urlpatterns

api = NinjaAPI(
    title="Talentloop API (outreach tests)",
    version="1-outreach-test",
    auth=[ApiKeyAuth(), MemberSessionAuth(csrf=True)],
    urls_namespace="api-outreach-test",
    renderer=ApiRenderer(),
    docs_url=None,
    openapi_url=None,
)
install_error_handlers(api)
api.add_router("/", router)

urlpatterns = [
    path("api/v1/", api.urls),
    path("outreach/", include("talentloop.outreach.urls")),
    path("outreach/", include("talentloop.outreach.urls_templates")),
    path("outreach/automations/", include("talentloop.outreach.urls_automation")),
    *project_urlpatterns,
]

__all__ = ["handler403", "handler404", "urlpatterns"]
