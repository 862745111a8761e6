"""The resume pages: upload, batch progress, review and correct, skills."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from talentloop.core.actor import Actor
from talentloop.resumes.models import Correction, ParseBatch, Resume
from talentloop.resumes.tests.fixtures import ADA, ParseFiles


@pytest.fixture
def alice_web(client: Client, alice: Any) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def resume(alice_actor: Actor, parse_files: ParseFiles) -> Resume:
    parse_files(alice_actor, {"ada.txt": ADA.encode()})
    return Resume.objects.get()


def test_upload_page_parses_files_and_shows_the_batch(
    alice_web: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_web.post(
            "/resumes/",
            {
                "resume_files": [
                    SimpleUploadedFile("ada.txt", ADA.encode()),
                    SimpleUploadedFile("bad.pdf", b"%PDF-1.4 nope"),
                ],
                "source": "referral",
                "tags": "",
            },
        )

    batch = ParseBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/resumes/batches/{batch.pk}/"
    page = alice_web.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "ada.txt" in html and "bad.pdf" in html
    assert 'New candidates</dt><dd data-field="created">1</dd>' in html
    assert Resume.objects.get(file_name="bad.pdf").error in html
    assert alice_web.get(f"/resumes/batches/{batch.pk}/status.json").json()["percent"] == 100


def test_upload_without_files_shows_the_form_again(alice_web: Client) -> None:
    response = alice_web.post("/resumes/", {"source": "sourced"})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not ParseBatch.objects.exists()


def test_review_screen_shows_the_text_beside_the_fields(alice_web: Client, resume: Resume) -> None:
    response = alice_web.get(f"/resumes/{resume.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<pre class="resume-text">Ada Quill' in html
    assert 'id="field-name"' in html and 'value="Ada Quill"' in html
    assert "ada.quill@example.test" in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_low_confidence_fields_are_highlighted(alice_web: Client, resume: Resume) -> None:
    parsed = dict(resume.parsed)
    parsed["meta"]["talentloop"]["confidence"]["headline"] = 0.3
    Resume.objects.filter(pk=resume.pk).update(parsed=parsed)

    html = alice_web.get(f"/resumes/{resume.pk}/").content.decode()

    assert 'id="field-headline" class="parsed-field low"' in html


def test_correct_a_field_on_the_review_screen(alice_web: Client, resume: Resume) -> None:
    response = alice_web.post(
        f"/resumes/{resume.pk}/", {"field": "skills", "value": "Python\nRust\n\n"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/resumes/{resume.pk}/#field-skills"
    assert Correction.objects.get().value == ["Python", "Rust"]


def test_correct_work_history_rows(alice_web: Client, resume: Resume) -> None:
    response = alice_web.post(
        f"/resumes/{resume.pk}/",
        {
            "field": "work",
            "name": ["Lumen", ""],
            "position": ["Principal", ""],
            "location": ["", ""],
            "startDate": ["2019-03", ""],
            "endDate": ["", ""],
        },
    )

    assert response.status_code == 302
    assert Correction.objects.get().value == [
        {
            "name": "Lumen",
            "position": "Principal",
            "location": "",
            "startDate": "2019-03",
            "endDate": "",
            "summary": "",
        }
    ]


def test_a_bad_correction_shows_the_reason_beside_the_field(
    alice_web: Client, resume: Resume
) -> None:
    response = alice_web.post(f"/resumes/{resume.pk}/", {"field": "emails", "value": "nope"})

    assert response.status_code == 422
    assert "&#x27;nope&#x27; is not a valid e-mail address." in response.content.decode()
    assert not Correction.objects.exists()


def test_another_workspaces_resume_is_a_404(client: Client, charlie: Any, resume: Resume) -> None:
    client.force_login(charlie)

    for path in (f"/resumes/{resume.pk}/", f"/resumes/{resume.pk}/file"):
        assert client.get(path).status_code == 404
    assert client.post(f"/resumes/{resume.pk}/", {"field": "name", "value": "X"}).status_code == 404
    assert not Correction.objects.exists()


def test_skills_page_promotes_an_unknown_phrase(
    alice_web: Client, alice_actor: Actor, parse_files: ParseFiles
) -> None:
    parse_files(alice_actor, {"ada.txt": (ADA + "Zorblax tuning\n").encode()})
    from talentloop.resumes.models import SkillPhrase, WorkspaceSkill

    phrase = SkillPhrase.objects.get(phrase="zorblax tuning")
    assert "Zorblax tuning" in alice_web.get("/resumes/skills/").content.decode()

    response = alice_web.post(f"/resumes/skills/unknown/{phrase.pk}", {"action": "promote"})

    assert response.status_code == 302
    assert list(WorkspaceSkill.objects.values_list("name", flat=True)) == ["Zorblax tuning"]


def test_a_low_confidence_job_is_highlighted_on_its_row(alice_web: Client, resume: Resume) -> None:
    parsed = dict(resume.parsed)
    parsed["meta"]["talentloop"]["entryConfidence"]["work"] = [0.9, 0.2]
    Resume.objects.filter(pk=resume.pk).update(parsed=parsed)

    html = alice_web.get(f"/resumes/{resume.pk}/").content.decode()

    work = html.split('id="field-work"')[1].split("</form>")[0]
    entries = work.split("<fieldset")[1:]
    assert [' class="entry low"' in entry for entry in entries] == [False, True, False]
    assert 'Work history 2 <span class="warn small">· check this one</span>' in entries[1]
