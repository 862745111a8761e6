"""The JSON API, version 1: one NinjaAPI, one router per app. OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import Swagger

from talentloop.accounts.api import router as accounts_router
from talentloop.candidates.api import router as candidates_router
from talentloop.compliance.api import router as compliance_router
from talentloop.core.api import (
    ApiKeyAuth,
    ApiRenderer,
    MemberSessionAuth,
    TalentloopAPI,
    install_error_handlers,
)
from talentloop.duplicates.api import router as duplicates_router
from talentloop.imports.api import router as imports_router
from talentloop.jobs.api import router as jobs_router
from talentloop.matching.api import router as matching_router
from talentloop.outreach.api import router as outreach_router
from talentloop.outreach.api_automation import router as outreach_automation_router
from talentloop.outreach.api_templates import router as outreach_templates_router
from talentloop.outreach.api_webhooks import router as outreach_webhooks_router
from talentloop.pools.api import router as pools_router
from talentloop.resumes.api import router as resumes_router
from talentloop.search.api import router as search_router

api = TalentloopAPI(
    title="Talentloop API",
    version="1",
    description=(
        "Everything the Talentloop UI can do. Authenticate with a workspace API key "
        "(`Authorization: Bearer tl_…`) or, from the browser, the session and CSRF token. "
        'Errors are `{"error": {"code", "message", "field"}}`. Lists use cursor '
        "pagination: pass `next_cursor` back as `cursor`."
    ),
    auth=[ApiKeyAuth(), MemberSessionAuth(csrf=True)],
    urls_namespace="api-1",
    docs_url="/docs",
    # Swagger UI's default validatorUrl makes every visitor's browser load a badge from
    # swagger.io, telling it where our spec lives; the docs use our own static files only.
    docs=Swagger(settings={"validatorUrl": None}),
    renderer=ApiRenderer(),
)
install_error_handlers(api)
api.add_router("/", candidates_router)
api.add_router("/", compliance_router)
api.add_router("/", accounts_router)
api.add_router("/", duplicates_router)
api.add_router("/", imports_router)
api.add_router("/", resumes_router)
api.add_router("/", jobs_router)
api.add_router("/", pools_router)
api.add_router("/", matching_router)
api.add_router("/", search_router)
api.add_router("/", outreach_router)
api.add_router("/", outreach_templates_router)
api.add_router("/", outreach_automation_router)
api.add_router("/", outreach_webhooks_router)  # its own auth: Bearer TALENTLOOP_INBOUND_SECRET
