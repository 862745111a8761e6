"""The import API: upload, map, dry run, run, follow, errors; bad input is a clear 4xx."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.core.tests.fixtures import _api_client
from talentloop.imports import mapping
from talentloop.imports.models import ImportJob

CSV = (
    "Name,E-mail,Mobile,Skills\n"
    "Ada Lovelace,ada@engines.test,+44 20 7946 0018,math; poetry\n"
    "Bad Row,not-an-email,,\n"
    "ADA LOVELACE,ADA@ENGINES.TEST,,engines\n"
)


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def _upload(client: Client, body: str = CSV, name: str = "people.csv", **form: str) -> Any:
    return client.post(
        f"{API}/imports",
        {"file": SimpleUploadedFile(name, body.encode()), **form},
    )


def test_upload_reads_the_columns_and_suggests_a_mapping(alice_client: Client) -> None:
    response = _upload(alice_client, tags="london, 2026")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["headers"] == ["Name", "E-mail", "Mobile", "Skills"]
    assert body["mapping"] == {
        "Name": "full_name",
        "E-mail": "emails",
        "Mobile": "phones",
        "Skills": "tags",
    }
    assert (body["total_rows"], body["tags"], body["format"]) == (3, ["london", "2026"], "csv")


def test_dry_run_then_run_then_errors(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    job_id = _upload(alice_client).json()["id"]
    mapping = {"Name": "full_name", "E-mail": "emails", "Mobile": "", "Skills": "tags"}
    response = call(alice_client, "put", f"/imports/{job_id}/mapping", {"mapping": mapping})
    assert response.status_code == 200, response.content

    with django_capture_on_commit_callbacks(execute=True):
        checked = call(alice_client, "post", f"/imports/{job_id}/run", {"dry_run": True})
    assert checked.status_code == 202
    after_check = call(alice_client, "get", f"/imports/{job_id}").json()
    assert after_check["status"] == "checked"
    assert after_check["checked"] == {"created": 1, "updated": 0, "merged": 1, "rejected": 1}
    assert Candidate.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        call(alice_client, "post", f"/imports/{job_id}/run", {"dry_run": False})
    done = call(alice_client, "get", f"/imports/{job_id}").json()
    assert (done["status"], done["percent"], done["created"], done["merged"]) == (
        "done",
        100,
        1,
        1,
    )
    ada = Candidate.objects.get()
    assert ada.phones.count() == 0  # the column was skipped
    errors = call(alice_client, "get", f"/imports/{job_id}/errors").json()
    assert errors == {
        "items": [
            {
                "file_name": "people.csv",
                "row": 3,
                "field": "emails[0]",
                "reason": "'not-an-email' is not a valid e-mail address.",
            }
        ],
        "next_cursor": None,
    }
    report = alice_client.get(f"{API}/imports/{job_id}/errors.csv")
    assert report["Content-Disposition"] == (f'attachment; filename="import-{job_id}-errors.csv"')
    assert list(csv.reader(report.content.decode().splitlines()))[1] == [
        "people.csv",
        "3",
        "emails[0]",
        "'not-an-email' is not a valid e-mail address.",
    ]


def test_a_file_that_is_not_a_table_is_refused_and_nothing_is_stored(
    alice_client: Client,
) -> None:
    response = _upload(alice_client, body="%PDF-1.7\n\x00\x01binary", name="cv.pdf")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "file"
    assert ImportJob.objects.count() == 0


def test_a_mapping_to_an_unknown_field_is_refused(alice_client: Client) -> None:
    job_id = _upload(alice_client).json()["id"]

    assert_refused(
        alice_client,
        "put",
        f"/imports/{job_id}/mapping",
        {"mapping": {"Name": "shoe_size"}},
        status=422,
        body=error(
            "invalid",
            mapping.check_mapping({"Name": "shoe_size"}, ["Name"])[0][1],
            "mapping.Name",
        ),
    )


def test_unknown_fields_in_the_body_are_refused(alice_client: Client) -> None:
    job_id = _upload(alice_client).json()["id"]

    response = call(alice_client, "post", f"/imports/{job_id}/run", {"dryrun": True})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "dryrun"


def test_another_workspaces_import_answers_like_a_missing_one(
    alice_client: Client, charlie: User
) -> None:
    job_id = _upload(alice_client).json()["id"]
    charlie_client = _api_client(charlie)

    assert_like_missing(
        lambda: call(charlie_client, "get", f"/imports/{job_id}"),
        lambda: call(charlie_client, "get", f"/imports/{MISSING_ID}"),
        body=error("not_found", "No such import."),
    )
    assert_like_missing(
        lambda: call(charlie_client, "post", f"/imports/{job_id}/run", {"dry_run": True}),
        lambda: call(charlie_client, "post", f"/imports/{MISSING_ID}/run", {"dry_run": True}),
        body=error("not_found", "No such import."),
    )


def test_a_role_without_candidate_editing_cannot_import(
    acme: Workspace, member_factory: Callable[..., User]
) -> None:
    auditor = _api_client(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    response = _upload(auditor)

    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


def test_saved_mappings_round_trip(alice_client: Client, alice_actor: Actor) -> None:
    created = call(
        alice_client,
        "post",
        "/import-mappings",
        {"name": "LinkedIn export", "mapping": {"First Name": "first_name"}},
    )

    assert created.status_code == 201
    assert call(alice_client, "get", "/import-mappings").json() == [
        {
            "id": created.json()["id"],
            "name": "LinkedIn export",
            "mapping": {"First Name": "first_name"},
        }
    ]
