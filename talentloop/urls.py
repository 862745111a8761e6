from django.urls import include, path

from talentloop.api import api

urlpatterns = [
    # Links inside outreach e-mails (open pixel, click redirect, unsubscribe): public, no login,
    # and first, as they are the most frequent requests of all.
    path("t/", include("talentloop.outreach.urls_public")),
    # The JSON API next: matched before the pages' includes, each of which would be tried first.
    path("api/v1/", api.urls),
    path("", include("talentloop.core.urls")),
    path("accounts/", include("talentloop.accounts.urls")),
    path("candidates/", include("talentloop.candidates.urls")),
    path("compliance/", include("talentloop.compliance.urls")),
    path("duplicates/", include("talentloop.duplicates.urls")),
    path("imports/", include("talentloop.imports.urls")),
    path("resumes/", include("talentloop.resumes.urls")),
    path("jobs/", include("talentloop.jobs.urls")),
    path("pools/", include("talentloop.pools.urls")),
    path("matching/", include("talentloop.matching.urls")),
    path("search/", include("talentloop.search.urls")),
    path("outreach/", include("talentloop.outreach.urls")),
    path("outreach/", include("talentloop.outreach.urls_templates")),
    path("outreach/automations/", include("talentloop.outreach.urls_automation")),
]

handler404 = "talentloop.core.views.not_found"
handler403 = "talentloop.core.views.forbidden"
