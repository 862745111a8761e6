"""Resumes in a real browser: upload two files, follow the batch, review one beside the
original and correct a field; the review screen also works on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.browser import horizontal_overflow
from talentloop.resumes.models import Correction, Resume
from talentloop.resumes.tests.fixtures import ADA, ParseFiles, docx_bytes

pytestmark = pytest.mark.browser


def test_upload_follow_review_and_correct(
    page: Any, alice: User, sign_in: Callable[[Any, User], None], tmp_path: Path
) -> None:
    ada = tmp_path / "ada-quill.docx"
    ada.write_bytes(docx_bytes(ADA.splitlines()))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not a PDF")
    sign_in(page, alice)

    page.goto("/resumes/")
    page.get_by_label("Resumes").set_input_files([str(ada), str(broken)])
    page.get_by_label("Tags").fill("meetup")
    page.get_by_role("button", name="Upload and parse").click()

    page.wait_for_url(re.compile(r"/resumes/batches/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "2 files"
    assert page.locator('[data-field="created"]').inner_text() == "1"
    assert page.locator('[data-field="failed"]').inner_text() == "1"
    rows = page.locator("table.resumes tbody tr")
    assert "The PDF is damaged and cannot be opened." in rows.nth(1).inner_text()

    rows.nth(0).get_by_role("link", name="ada-quill.docx").click()
    page.wait_for_url(re.compile(r"/resumes/\d+/$"))
    assert "Ada Quill" in page.locator("pre.resume-text").inner_text()
    headline = page.locator("#field-headline")
    headline.get_by_label("Headline").fill("Staff Data Engineer")
    headline.get_by_role("button", name="Save headline").click()

    page.wait_for_url(re.compile(r"/resumes/\d+/#field-headline$"))
    assert page.get_by_role("status").inner_text() == "Headline corrected."
    assert page.locator("#field-headline .tag.corrected").inner_text() == "corrected"
    assert Correction.objects.get().value == "Staff Data Engineer"
    candidate = Candidate.objects.get()
    assert candidate.headline == "Staff Data Engineer"
    assert [t.name for t in candidate.tags.all()] == ["meetup"]


def test_review_screen_on_a_phone(
    phone_page: Any,
    alice: User,
    alice_actor: Actor,
    sign_in: Callable[[Any, User], None],
    parse_files: ParseFiles,
) -> None:
    parse_files(alice_actor, {"ada.txt": ADA.encode()})
    resume = Resume.objects.get()
    sign_in(phone_page, alice)

    phone_page.goto(f"/resumes/{resume.pk}/")

    assert phone_page.get_by_role("heading", level=1).inner_text() == "ada.txt"
    assert phone_page.locator("#field-name input[name=value]").input_value() == "Ada Quill"
    scroll_width, client_width = horizontal_overflow(phone_page)
    assert scroll_width <= client_width


def test_the_batch_page_follows_a_running_batch(
    page: Any, alice: User, alice_actor: Actor, sign_in: Callable[[Any, User], None]
) -> None:
    from talentloop.resumes import services
    from talentloop.resumes.models import ParseBatch

    batch = services.create_batch(
        actor=alice_actor,
        uploads=[services.Upload(name=f"{n}.txt", data=ADA.encode()) for n in range(4)],
        name="four files",
        enqueue=False,
    )
    ParseBatch.objects.filter(pk=batch.pk).update(
        status="running", processed_files=1, created=1, seconds=2
    )
    sign_in(page, alice)
    page.goto(f"/resumes/batches/{batch.pk}/")
    assert page.locator('[data-field="percent"]').inner_text() == "25%"

    ParseBatch.objects.filter(pk=batch.pk).update(processed_files=3, created=2, failed=1, seconds=4)
    page.wait_for_function(
        "document.querySelector('[data-field=\"percent\"]').textContent === '75%'"
    )
    assert page.locator('[data-field="failed"]').inner_text() == "1"
    assert page.locator("progress").get_attribute("value") is not None

    ParseBatch.objects.filter(pk=batch.pk).update(status="done", processed_files=4)
    page.wait_for_function(
        "document.querySelector('[data-field=\"status_label\"]').textContent === 'Done'"
    )
    assert page.locator('[data-field="percent"]').inner_text() == "100%"
