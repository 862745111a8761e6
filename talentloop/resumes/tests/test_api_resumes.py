"""The resume API: upload, follow, read, correct, download, skills; other workspaces' objects
answer like missing ones; bad input is a clear 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.resumes.models import Resume, SkillPhrase
from talentloop.resumes.tests.fixtures import ADA, docx_bytes


@pytest.fixture(autouse=True)
def _run_tasks(django_capture_on_commit_callbacks: Any) -> None:
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture: Any = None


def _upload(client: Client, *files: tuple[str, bytes], **form: str) -> Any:
    """Upload, then run the parse task the upload queued (tasks run at once in tests)."""
    with _capture(execute=True):
        return client.post(
            f"{API}/resumes",
            {"files": [SimpleUploadedFile(name, data) for name, data in files], **form},
        )


def test_upload_parses_each_file_and_reports_the_batch(alice_client: Client) -> None:
    response = _upload(
        alice_client,
        ("ada.txt", ADA.encode()),
        ("broken.docx", b"PK\x03\x04 not really a zip"),
        tags="london",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["total_files"]) == ("2 files", 2)
    batch = call(alice_client, "get", f"/resume-batches/{body['id']}").json()
    assert (batch["status"], batch["percent"], batch["created"], batch["failed"]) == (
        "done",
        100,
        1,
        1,
    )
    files = call(alice_client, "get", f"/resume-batches/{body['id']}/resumes").json()["items"]
    assert [(f["file_name"], f["status"], f["error_code"]) for f in files] == [
        ("ada.txt", "parsed", ""),
        ("broken.docx", "failed", "corrupt"),
    ]


def test_a_parse_reads_field_by_field_with_confidence(alice_client: Client) -> None:
    _upload(alice_client, ("ada.docx", docx_bytes(ADA.splitlines())))
    resume = Resume.objects.get()

    response = call(alice_client, "get", f"/resumes/{resume.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "docx"
    assert body["fields"]["name"]["value"] == "Ada Quill"
    assert 0.5 < body["fields"]["name"]["confidence"] <= 1
    assert body["fields"]["emails"]["value"] == ["ada.quill@example.test"]
    assert body["json_resume"]["basics"]["email"] == "ada.quill@example.test"
    assert AuditEvent.objects.filter(action="resume.viewed", target_id=resume.pk).count() == 1


def test_correct_a_field(alice_client: Client) -> None:
    _upload(alice_client, ("ada.txt", ADA.encode()))
    resume = Resume.objects.get()

    response = call(
        alice_client,
        "post",
        f"/resumes/{resume.pk}/corrections",
        {"field": "headline", "value": "Staff Engineer"},
    )

    assert response.status_code == 200
    assert response.json()["fields"]["headline"] == {
        "value": "Staff Engineer",
        "confidence": 1.0,
        "corrected": True,
    }
    assert Candidate.objects.get().headline == "Staff Engineer"


def test_a_bad_correction_is_a_422_naming_the_field(alice_client: Client) -> None:
    _upload(alice_client, ("ada.txt", ADA.encode()))
    resume = Resume.objects.get()

    assert_refused(
        alice_client,
        "post",
        f"/resumes/{resume.pk}/corrections",
        {"field": "phones", "value": ["call me maybe"]},
        status=422,
        body=error("invalid", "'call me maybe' is not a phone number.", "phones.0"),
    )


def test_the_original_downloads_as_it_was_sent(alice_client: Client) -> None:
    _upload(alice_client, ("ada.txt", ADA.encode()))
    resume = Resume.objects.get()

    response = call(alice_client, "get", f"/resumes/{resume.pk}/file")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == ADA.encode()  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == 'attachment; filename="ada.txt"'
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_another_workspaces_resume_answers_like_a_missing_one(
    alice_client: Client, charlie_client: Client
) -> None:
    _upload(charlie_client, ("ada.txt", ADA.encode()))
    theirs = Resume.objects.get()
    batch_id = theirs.batch_id

    for path in ("/resumes/{}", "/resumes/{}/file"):

        def get(resume_id: int, path: str = path) -> Any:
            return call(alice_client, "get", path.format(resume_id))

        assert_like_missing(
            lambda: get(theirs.pk),
            lambda: get(MISSING_ID),
            body=error("not_found", "No such resume."),
        )
    assert_like_missing(
        lambda: call(
            alice_client,
            "post",
            f"/resumes/{theirs.pk}/corrections",
            {"field": "name", "value": "X"},
        ),
        lambda: call(
            alice_client,
            "post",
            f"/resumes/{MISSING_ID}/corrections",
            {"field": "name", "value": "X"},
        ),
        body=error("not_found", "No such resume."),
    )
    assert_like_missing(
        lambda: call(alice_client, "get", f"/resume-batches/{batch_id}"),
        lambda: call(alice_client, "get", f"/resume-batches/{MISSING_ID}"),
        body=error("not_found", "No such batch."),
    )


def test_upload_without_files_is_a_422(alice_client: Client) -> None:
    response = alice_client.post(f"{API}/resumes", {"tags": "x"})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "files"
    assert not Resume.objects.exists()


def test_bob_can_upload_and_correct(bob_client: Client) -> None:
    response = _upload(bob_client, ("ada.txt", ADA.encode()))

    assert response.status_code == 201
    resume = Resume.objects.get()
    corrected = call(
        bob_client, "post", f"/resumes/{resume.pk}/corrections", {"field": "name", "value": "A Q"}
    )
    assert corrected.status_code == 200


def test_workspace_skills_and_unknown_phrases(alice_client: Client) -> None:
    _upload(
        alice_client,
        ("ada.txt", (ADA + "Quantum basket weaving, Zorblax tuning\n").encode()),
    )
    unknown = call(alice_client, "get", "/skills").json()["unknown"]
    phrase = next(p for p in unknown if p["phrase"] == "zorblax tuning")

    promoted = call(alice_client, "post", f"/skills/unknown/{phrase['id']}/promote", {})
    added = call(
        alice_client, "post", "/skills", {"name": "Kubernetes Ops", "aliases": ["k8s ops"]}
    )
    duplicate = call(alice_client, "post", "/skills", {"name": "kubernetes ops"})

    assert promoted.status_code == 201
    assert promoted.json()["name"] == "Zorblax tuning"
    assert added.status_code == 201
    assert duplicate.status_code == 409
    assert duplicate.json() == error(
        "conflict", "The workspace already has the skill 'kubernetes ops'.", "name"
    )
    assert not SkillPhrase.objects.filter(phrase="zorblax tuning").exists()
    names = [s["name"] for s in call(alice_client, "get", "/skills").json()["workspace"]]
    assert names == ["Kubernetes Ops", "Zorblax tuning"]


@pytest.mark.parametrize("path", ["/resumes/{}", "/resumes/{}/file"])
def test_an_auditor_reads_but_cannot_correct(
    alice_client: Client, member_factory: Any, acme: Any, path: str
) -> None:
    from talentloop.accounts.roles import Role
    from talentloop.core.tests.fixtures import _api_client

    _upload(alice_client, ("ada.txt", ADA.encode()))
    resume = Resume.objects.get()
    auditor = _api_client(member_factory("audrey@acme.test", acme, Role.AUDITOR, "Audrey"))

    assert call(auditor, "get", path.format(resume.pk)).status_code == 200
    assert_refused(
        auditor,
        "post",
        f"/resumes/{resume.pk}/corrections",
        {"field": "name", "value": "X"},
        status=403,
        body=error("forbidden", "Your role does not allow adding or correcting resumes."),
    )
