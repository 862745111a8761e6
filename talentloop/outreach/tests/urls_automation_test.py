"""The project's URLs plus the automation pages and API, for tests that run before (or after)
they are wired into talentloop/urls.py and talentloop/api.py."""

from django.urls import include, path
from ninja import NinjaAPI

from talentloop.core.api import ApiKeyAuth, ApiRenderer, MemberSessionAuth, install_error_handlers
from talentloop.outreach.api_automation import router
from talentloop.urls import handler403, handler404
from talentloop.urls import urlpatterns as project_urlpatterns

api = NinjaAPI(
    title="Talentloop API (automation tests)",
    version="1-automation-test",
    auth=[ApiKeyAuth(), MemberSessionAuth(csrf=True)],
    urls_namespace="api-automation-test",
    renderer=ApiRenderer(),
    docs_url=None,
    openapi_url=None,
)
install_error_handlers(api)
api.add_router("/", router)

urlpatterns = [
    path("api/v1/", api.urls),
    path("outreach/automations/", include("talentloop.outreach.urls_automation")),
    # The sequence and campaign pages the automation pages link back to.
    path("outreach/", include("talentloop.outreach.urls")),
    *project_urlpatterns,
]

__all__ = ["handler403", "handler404", "urlpatterns"]
