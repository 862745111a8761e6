"""Ingestion: files become candidates (or update the one an e-mail finds), originals are kept,
bad files fail alone, and running a batch again never parses a file twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from talentloop.candidates.models import Activity, Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.resumes import services
from talentloop.resumes.models import ParseBatch, Resume
from talentloop.resumes.tests.fixtures import ADA, ParseFiles, docx_bytes, zip_bytes


@time_machine.travel("2026-11-26 12:00:00Z", tick=False)
def test_a_resume_becomes_a_candidate_with_its_fields(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    batch = parse_files(alice_actor, {"ada.txt": ADA.encode()}, tags=["london"])

    assert (batch.status, batch.total_files, batch.processed_files) == ("done", 1, 1)
    assert (batch.created, batch.updated, batch.failed) == (1, 0, 0)
    resume = Resume.objects.get()
    candidate = resume.candidate
    assert candidate is not None
    assert (candidate.first_name, candidate.last_name) == ("Ada", "Quill")
    assert [e.email for e in candidate.emails.all()] == ["ada.quill@example.test"]
    assert [p.number for p in candidate.phones.all()] == ["+442079460018"]
    assert [link.url for link in candidate.links.all()] == [
        "https://linkedin.com/in/ada-quill-example"
    ]
    assert (candidate.current_title, candidate.current_company) == (
        "Senior Software Engineer",
        "Lumen Analytics Ltd",
    )
    # Jan 2015 to Nov 2026, both months counted whole.
    assert candidate.years_experience == Decimal("11.9")
    assert [t.name for t in candidate.tags.all()] == ["london"]
    assert (candidate.city, candidate.region, candidate.country) == ("London", "", "GB")
    assert candidate.resume["work"][0]["startDate"] == "2019-03"
    assert "Python" in [s["name"] for s in candidate.resume["skills"]]
    assert resume.status == "parsed" and resume.format == "txt"
    assert resume.file.read() == ADA.encode()  # the original is kept
    entry = Activity.objects.get(candidate=candidate, type=Activity.Type.RESUME_PARSED)
    assert entry.payload["resume_id"] == resume.pk
    assert entry.summary == "Resume ada.txt parsed"


def test_the_same_person_again_updates_instead_of_creating(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    parse_files(alice_actor, {"ada.txt": ADA.encode()})
    newer = ADA.replace("+44 20 7946 0018", "+44 20 7946 0999")

    batch = parse_files(alice_actor, {"ada-2026.docx": docx_bytes(newer.splitlines())})

    assert (batch.created, batch.updated) == (0, 1)
    candidate = Candidate.objects.get()
    assert sorted(p.number for p in candidate.phones.all()) == ["+442079460018", "+442079460999"]
    assert Resume.objects.filter(candidate=candidate).count() == 2


def test_a_profile_linked_behind_a_word_finds_the_same_person(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    parse_files(alice_actor, {"ada.txt": ADA.encode()})
    # Another e-mail and phone; the page shows "LinkedIn" and links it to her profile.
    page = (
        "<html><body><h1>Ada Quill</h1><p>ada@quill.example.test | +44 20 7946 0777 | "
        '<a href="https://www.linkedin.com/in/ada-quill-example/">LinkedIn</a></p>'
        "<h2>Experience</h2><p>Staff Engineer, Lumen Analytics Ltd</p><p>April 2024 - Present</p>"
        "</body></html>"
    )

    batch = parse_files(alice_actor, {"ada.html": page.encode()})

    assert (batch.created, batch.updated, batch.failed) == (0, 1, 0)
    candidate = Candidate.objects.get()
    assert sorted(e.email for e in candidate.emails.all()) == [
        "ada.quill@example.test",
        "ada@quill.example.test",
    ]
    assert [link.url for link in candidate.links.all()] == [
        "https://linkedin.com/in/ada-quill-example"
    ]


def test_a_field_changed_by_a_recruiter_is_not_overwritten(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    parse_files(alice_actor, {"ada.txt": ADA.encode()})
    candidate = Candidate.objects.get()
    from talentloop.candidates.services import update_candidate

    update_candidate(actor=alice_actor, candidate=candidate, data={"headline": "Data lead"})
    changed = ADA.replace("Senior Software Engineer\nLondon", "Staff Engineer\nLondon", 1)

    parse_files(alice_actor, {"ada-new.txt": changed.encode()})

    candidate.refresh_from_db()
    assert candidate.headline == "Data lead"


def test_bad_files_fail_alone_with_a_clear_error(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    files = {
        "broken.pdf": b"%PDF-1.7\n" + b"\x00garbage" * 50,
        "empty.docx": b"",
        "photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "ada.txt": ADA.encode(),
    }

    batch = parse_files(alice_actor, files)

    assert (batch.status, batch.created, batch.failed) == ("done", 1, 3)
    failed = {r.file_name: r for r in Resume.objects.filter(status="failed")}
    assert sorted(failed) == ["broken.pdf", "empty.docx", "photo.png"]
    assert failed["broken.pdf"].error_code == "corrupt"
    assert failed["empty.docx"].error_code == "empty"
    assert all(r.error for r in failed.values())
    assert failed["broken.pdf"].file.read().startswith(b"%PDF")  # kept all the same


@override_settings(RESUME_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused_and_not_stored(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    batch = parse_files(alice_actor, {"huge.txt": b"x" * 2000, "ada.txt": ADA.encode()[:900]})

    assert (batch.total_files, batch.failed) == (2, 1)
    huge = Resume.objects.get(file_name="huge.txt")
    assert (huge.status, huge.error_code, huge.size) == ("failed", "too_large", 2000)
    assert huge.error == "The file is 0.0 MB; the limit is 0 MB."
    assert not huge.file


def test_a_zip_is_parsed_member_by_member_and_unsafe_members_are_refused(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    archive = zip_bytes(
        {
            "team/ada.txt": ADA.encode(),
            "../escape.txt": ADA.encode(),
            "team/ben.docx": docx_bytes(["Ben Marlow", "ben.marlow@example.test"]),
        }
    )

    batch = parse_files(alice_actor, {"team.zip": archive})

    assert (batch.total_files, batch.created, batch.failed) == (3, 2, 1)
    escape = Resume.objects.get(status="failed")
    assert escape.file_name == "team.zip/../escape.txt"
    assert escape.error_code == "unsafe_name"
    assert escape.error == "Refused: the name points outside the archive."
    assert sorted(Candidate.objects.values_list("first_name", flat=True)) == ["Ada", "Ben"]


def test_running_a_batch_again_parses_nothing_twice(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    batch = services.create_batch(
        actor=alice_actor,
        uploads=[services.Upload(name="ada.txt", data=ADA.encode())],
        name="x",
        enqueue=False,
    )
    resume = Resume.objects.get()
    services.parse_resume(actor=alice_actor, resume=resume)
    # A retried task: the batch is still marked as running, its one file already parsed.
    ParseBatch.objects.filter(pk=batch.pk).update(status=ParseBatch.Status.RUNNING)

    services.parse_resume(actor=alice_actor, resume=resume)  # already parsed: no-op
    batch = services.run_batch(batch, alice_actor)

    assert (batch.status, batch.processed_files, batch.created) == ("done", 1, 1)
    assert Candidate.objects.count() == 1
    assert Activity.objects.filter(type=Activity.Type.RESUME_PARSED).count() == 1


def test_a_resume_without_a_name_takes_it_from_the_file_name(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    parse_files(alice_actor, {"maria_lopez-resume.txt": b"maria.lopez@example.test\n"})

    candidate = Candidate.objects.get()
    assert (candidate.first_name, candidate.last_name) == ("Maria", "Lopez")


def test_a_candidate_of_another_workspace_is_never_updated(
    alice_actor: Actor, charlie_actor: Actor, parse_files: ParseFiles
) -> None:
    parse_files(charlie_actor, {"ada.txt": ADA.encode()})

    batch = parse_files(alice_actor, {"ada.txt": ADA.encode()})

    assert batch.created == 1
    assert Candidate.objects.filter(workspace=alice_actor.workspace).count() == 1
    assert Candidate.objects.filter(workspace=charlie_actor.workspace).count() == 1


def test_a_candidate_that_cannot_be_saved_fails_that_file_only(
    alice_actor: Actor, parse_files: ParseFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_apply = services._apply

    def refuse_ada(actor: Actor, resume: Resume, parsed: Any) -> bool:
        if resume.file_name == "ada.txt":
            raise InvalidInput("At most 100 characters.", field="city")
        return real_apply(actor, resume, parsed)

    monkeypatch.setattr(services, "_apply", refuse_ada)

    batch = parse_files(
        alice_actor, {"ada.txt": ADA.encode(), "ben.txt": b"Ben Marlow\nben@example.test\n"}
    )

    assert (batch.status, batch.created, batch.failed) == ("done", 1, 1)
    ada = Resume.objects.get(file_name="ada.txt")
    assert (ada.status, ada.error_code, ada.error) == (
        "failed",
        "not_stored",
        "The candidate could not be saved: At most 100 characters. (city)",
    )
    assert list(Candidate.objects.values_list("first_name", flat=True)) == ["Ben"]


def test_an_unexpected_error_fails_that_file_and_the_batch_goes_on(
    alice_actor: Actor, parse_files: ParseFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_count = services._count_phrases

    def explode(actor: Actor, parsed: Any) -> None:
        if parsed.name == "Ada Quill":
            raise RuntimeError("a bug")
        real_count(actor, parsed)

    monkeypatch.setattr(services, "_count_phrases", explode)

    batch = parse_files(
        alice_actor, {"ada.txt": ADA.encode(), "ben.txt": b"Ben Marlow\nben@example.test\n"}
    )

    assert (batch.status, batch.processed_files, batch.created, batch.failed) == ("done", 2, 1, 1)
    ada = Resume.objects.get(file_name="ada.txt")
    assert (ada.status, ada.error_code) == ("failed", "parser_error")
    assert list(Candidate.objects.values_list("first_name", flat=True)) == ["Ben"]


def test_a_resume_listing_many_links_keeps_the_first_twenty(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    links = "\n".join(f"https://site{i}.example.test/me" for i in range(30))
    parse_files(alice_actor, {"ada.txt": (ADA + links).encode()})
    parse_files(alice_actor, {"ada-again.txt": (ADA + links.replace("/me", "/you")).encode()})

    assert Candidate.objects.get().links.count() == 20


def test_a_file_with_no_person_in_it_creates_no_candidate(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    batch = parse_files(alice_actor, {"notes.txt": b"meeting notes: 3 apples, 2 pears\n"})

    assert (batch.created, batch.failed) == (0, 1)
    resume = Resume.objects.get()
    assert (resume.status, resume.error_code) == ("failed", "no_person")
    assert not Candidate.objects.exists()


def test_an_anonymised_resume_still_makes_a_candidate(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    text = ADA.split("EXPERIENCE", 1)[1]  # no name, no contact details: the rest stays

    batch = parse_files(alice_actor, {"cv-1042.txt": ("EXPERIENCE" + text).encode()})

    assert (batch.created, batch.failed) == (1, 0)
    assert Candidate.objects.get().current_company == "Lumen Analytics Ltd"


def test_a_workspace_skill_is_found_under_its_name(
    alice_actor: Actor, parse_files: ParseFiles
) -> None:
    services.add_skill(actor=alice_actor, name="Zorblax Tuning", aliases=["ZBT"])
    text = ADA.replace("Python, JavaScript", "Python, ZBT, JavaScript")

    parse_files(alice_actor, {"ada.txt": text.encode()})

    skills = [s["name"] for s in Candidate.objects.get().resume["skills"]]
    assert "Zorblax Tuning" in skills
    assert "ZBT" not in skills
