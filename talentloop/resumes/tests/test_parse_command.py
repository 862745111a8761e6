"""`talentloop parse`: files, folders and zips into candidates, with a clear message for
every mistake on the command line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.resumes.models import ParseBatch, Resume
from talentloop.resumes.tests.fixtures import ADA, docx_bytes, zip_bytes


def _parse(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("parse", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_parses_a_folder_and_a_zip(alice: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "ada.txt").write_bytes(ADA.encode())
    (folder / "sub" / "ben.docx").write_bytes(docx_bytes(["Ben Marlow", "ben@example.test"]))
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    archive = tmp_path / "more.zip"
    archive.write_bytes(
        zip_bytes(
            {"cy.txt": b"Cy Dane\ncy@example.test\n", "x.png": b"\x89PNG\r\n\x1a\n" + bytes(64)}
        )
    )

    out, err = _parse(str(folder), str(archive), "--actor", "alice@acme.test", "--tag", "fair")

    batch = ParseBatch.objects.get()
    assert out.strip().endswith(
        f"Batch {batch.pk} (2 paths) parsed 4 of 4 files: 3 new candidates, 0 updated, "
        f"1 failed ({batch.files_per_second:,.1f} files/s)."
    )
    assert "more.zip/x.png: " in err
    assert sorted(Resume.objects.values_list("file_name", flat=True)) == [
        "inbox/ada.txt",
        "inbox/sub/ben.docx",
        "more.zip/cy.txt",
        "more.zip/x.png",
    ]
    assert sorted(Candidate.objects.values_list("first_name", flat=True)) == ["Ada", "Ben", "Cy"]
    assert all([t.name for t in c.tags.all()] == ["fair"] for c in Candidate.objects.all())
    assert {c.owner_id for c in Candidate.objects.all()} == {alice.pk}


def test_continues_a_stopped_run(alice: Any, tmp_path: Path) -> None:
    (tmp_path / "ada.txt").write_bytes(ADA.encode())
    _parse(str(tmp_path / "ada.txt"), "--actor", "alice@acme.test")
    batch = ParseBatch.objects.get()
    Resume.objects.update(status=Resume.Status.QUEUED)  # as if killed before this file
    ParseBatch.objects.update(status=ParseBatch.Status.RUNNING, processed_files=0, created=0)
    Candidate.objects.all().delete()

    out, _ = _parse("--resume", str(batch.pk), "--actor", "alice@acme.test")

    assert "parsed 1 of 1 files: 1 new candidates" in out
    assert Candidate.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Name the files, folders or zips to parse."),
        (["/no/such/file.pdf"], "No such file or folder: /no/such/file.pdf."),
        (["--workspace", "nope", "x"], "No workspace 'nope'. Workspaces: acme."),
        (["--actor", "nobody@acme.test", "x"], "nobody@acme.test is not a member of Acme Talent."),
    ],
)
def test_mistakes_are_clear_messages(alice: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as raised:
        _parse(*args)

    assert str(raised.value) == message
    assert not ParseBatch.objects.exists()


def test_a_role_that_cannot_edit_is_refused(member_factory: Any, acme: Any, tmp_path: Path) -> None:
    member_factory("audrey@acme.test", acme, Role.AUDITOR, "Audrey")

    with pytest.raises(CommandError) as raised:
        _parse(str(tmp_path), "--actor", "audrey@acme.test")

    assert str(raised.value) == (
        "audrey@acme.test has the auditor role in Acme Talent and cannot parse resumes."
    )
