"""pytest setup shared by every app: settings for tests and the fixtures of each app."""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = [
    "talentloop.core.tests.fixtures",
    "talentloop.core.tests.browser",
    "talentloop.duplicates.tests.fixtures",
    "talentloop.resumes.tests.fixtures",
    "talentloop.matching.tests.fixtures",
    "talentloop.pools.tests.fixtures",
    "talentloop.outreach.tests.fixtures",
    "talentloop.outreach.tests.template_fixtures",
    "talentloop.outreach.tests.tracking_fixtures",
]


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> None:
    # Tasks run at once in tests; tests of the real worker switch to the database backend.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Hashing passwords with the default (slow on purpose) algorithm would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Stored files (resume originals) go to the test's own folder.
    settings.MEDIA_ROOT = tmp_path / "files"
    # Term statistics are cached per workspace id, and ids come back after a test's rollback.
    from talentloop.matching import services as matching_services

    matching_services.forget_contexts()
    # Likewise the tags (and search texts) found large: a later test may reuse the tag ids.
    from talentloop.candidates import selectors as candidate_selectors

    candidate_selectors.forget_large_filters()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
