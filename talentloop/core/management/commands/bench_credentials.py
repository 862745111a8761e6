from __future__ import annotations

import json
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand
from django.db.models import Max, Min

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.services import create_api_key
from talentloop.candidates.models import Candidate, Tag
from talentloop.core.actor import system_actor


class Command(BaseCommand):
    help = "For `bench api`: print a fresh API key and session for alice in the demo workspace."

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.get(slug="acme")
        alice = User.objects.get(email="alice@acme.test")
        _, secret = create_api_key(actor=system_actor(workspace), name="bench", scope="read")
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(alice.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = alice.get_session_auth_hash()
        session.create()
        ids = Candidate.objects.filter(workspace=workspace).aggregate(Min("id"), Max("id"))
        tag = Tag.objects.filter(workspace=workspace, name_key="python").first()
        self.stdout.write(
            json.dumps(
                {
                    "api_key": secret,
                    "session": session.session_key,
                    "first_id": ids["id__min"],
                    "last_id": ids["id__max"],
                    "tag": tag.name if tag else "",
                    "source": "referral",
                }
            )
        )
