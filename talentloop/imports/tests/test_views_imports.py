"""The import pages: upload, map the columns, check (dry run), import, progress, row errors."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.core.tests.api_helpers import stored_state
from talentloop.imports.mapping import NAME_OR_EMAIL
from talentloop.imports.models import ImportJob, ImportMapping

PEOPLE = (
    "First name,Last name,E-mail,City\n"
    "Ada,Lovelace,ada@example.test,London\n"
    "Alan,Turing,not-an-email,Wilmslow\n"
    "Grace,Hopper,grace@example.test,New York\n"
)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def upload(
    client: Client, content: bytes = PEOPLE.encode(), name: str = "people.csv", **fields: str
) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, content), "source": "event"}
    return client.post("/imports/", {**data, **fields})


def mapping_data(job: ImportJob, **changes: str) -> dict[str, str]:
    """The mapping form as the page shows it for `job`, with `changes` ({header: target})."""
    column_mapping = {**job.mapping, **changes}
    return {f"column_{i}": column_mapping.get(h, "") for i, h in enumerate(job.headers)} | {
        "tags": ", ".join(job.tags),
        "save_as": "",
    }


@pytest.fixture
def job(alice_client: Client) -> ImportJob:
    upload(alice_client, tags="spring fair, java")
    return ImportJob.objects.get()


def run(client: Client, job: ImportJob, capture: Any, *, dry_run: bool, **data: str) -> Any:
    with capture(execute=True):
        return client.post(
            f"/imports/{job.pk}/run", {**mapping_data(job), **data, "dry_run": str(int(dry_run))}
        )


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/imports/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=/imports/"


def test_list_has_the_upload_form(alice_client: Client) -> None:
    response = alice_client.get("/imports/")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".csv,.tsv,.txt,.xlsx,.xlsm,.json,.jsonl,.ndjson"' in html
    assert '<option value="import" selected>Import</option>' in html
    assert '<option value="referral">Referral</option>' in html
    assert '<a href="/imports/" aria-current="page">Import</a>' in html
    assert "No imports yet." in html


def test_upload_creates_a_job_and_shows_the_suggested_mapping(alice_client: Client) -> None:
    response = upload(alice_client, tags="spring fair, java")

    job = ImportJob.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/imports/{job.pk}/"
    assert (job.name, job.total_rows, job.status) == ("people.csv", 3, "draft")
    assert (job.tags, job.source, job.owns_file) == (["spring fair", "java"], "event", True)
    assert job.mapping == {
        "First name": "first_name",
        "Last name": "last_name",
        "E-mail": "emails",
        "City": "city",
    }
    page = alice_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert '<label for="id_column_2">E-mail</label>' in html
    assert '<option value="emails" selected>E-mails</option>' in html
    assert '<option value="city" selected>City</option>' in html
    assert 'value="spring fair, java"' in html
    assert ">Check (dry run)</button>" in html
    assert ">Import</button>" in html
    assert Candidate.objects.count() == 0


def test_list_shows_the_workspace_imports(
    alice_client: Client, job: ImportJob, django_assert_num_queries: Any
) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", processed_rows=1, seconds=0.5, created=1
    )

    with django_assert_num_queries(4):  # session, user, membership, imports
        response = alice_client.get("/imports/")

    html = response.content.decode()
    assert f'<a href="/imports/{job.pk}/">people.csv</a>' in html
    assert "Alice Admin" in html
    assert '<span class="status status-running">Importing</span>' in html
    assert '<progress max="100" value="33"' in html
    assert "33% · 2 rows/s · 1 s left" in html


def test_dry_run_shows_what_would_happen_and_writes_nothing(
    alice_client: Client, job: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    response = run(alice_client, job, django_capture_on_commit_callbacks, dry_run=True)

    job.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.status == "checked"
    assert job.checked == {"created": 2, "updated": 0, "merged": 0, "rejected": 1}
    assert Candidate.objects.count() == 0
    html = alice_client.get(f"/imports/{job.pk}/").content.decode()
    assert '<dt>Would create</dt><dd data-field="checked.created">2</dd>' in html
    assert '<dt>Would reject</dt><dd data-field="checked.rejected">1</dd>' in html
    assert "Rows the dry run would reject" in html
    assert f'href="/imports/{job.pk}/errors.csv?dry_run=1"' in html
    assert "<script>" not in html  # finished: nothing to poll


def test_import_creates_the_candidates(
    alice_client: Client, job: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    run(alice_client, job, django_capture_on_commit_callbacks, dry_run=True)

    response = run(alice_client, job, django_capture_on_commit_callbacks, dry_run=False)

    job.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert (job.status, job.created, job.updated, job.merged, job.rejected) == ("done", 2, 0, 0, 1)
    assert job.checked == {"created": 2, "updated": 0, "merged": 0, "rejected": 1}  # kept
    people = Candidate.objects.order_by("first_name")
    assert [(c.first_name, c.last_name, c.city, c.source) for c in people] == [
        ("Ada", "Lovelace", "London", "event"),
        ("Grace", "Hopper", "New York", "event"),
    ]
    html = alice_client.get(f"/imports/{job.pk}/").content.decode()
    assert '<dt>Created</dt><dd data-field="created">2</dd>' in html
    assert '<span class="status status-done" data-field="status_label">Done</span>' in html
    assert "Rows not imported" in html
    assert ">Import</button>" not in html  # done: it cannot run again
    assert '<select name="column_0"' not in html  # nor change its mapping


def test_a_changed_mapping_is_stored_and_saved_before_the_run(
    alice_client: Client, job: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    response = run(
        alice_client,
        job,
        django_capture_on_commit_callbacks,
        dry_run=False,
        **{**mapping_data(job, City=""), "tags": "fair", "save_as": "Fair export"},
    )

    job.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert job.mapping["City"] == ""
    assert job.tags == ["fair"]
    assert job.status == "done"
    assert list(Candidate.objects.values_list("city", flat=True)) == ["", ""]
    saved = ImportMapping.objects.get()
    assert (saved.name, saved.mapping) == ("Fair export", job.mapping)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"First name": "", "E-mail": ""}, "__all__", NAME_OR_EMAIL),
        (
            {"City": "first_name"},
            "column_3",
            "First name is already filled from the column 'First name'.",
        ),
    ],
)
def test_a_mapping_the_service_refuses_is_shown_again(
    changes: dict[str, str],
    field: str,
    message: str,
    alice_client: Client,
    job: ImportJob,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = stored_state()

    response = run(
        alice_client,
        job,
        django_capture_on_commit_callbacks,
        dry_run=True,
        **mapping_data(job, **changes),
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors[field] == [message]
    assert stored_state() == before


def test_a_saved_mapping_fills_the_columns_it_names(
    alice_client: Client, job: ImportJob, acme: Workspace
) -> None:
    saved = ImportMapping.objects.create(
        workspace=acme, name="Old CRM", mapping={"City": "region", "Missing": "country"}
    )

    response = alice_client.get(f"/imports/{job.pk}/?saved={saved.pk}")

    html = response.content.decode()
    assert f'<option value="{saved.pk}" selected>Old CRM</option>' in html
    assert '<option value="region" selected>Region or state</option>' in html
    assert '<option value="emails" selected>E-mails</option>' in html  # not named: kept
    job.refresh_from_db()
    assert job.mapping["City"] == "city"  # nothing stored until Check or Import


def test_another_workspace_saved_mapping_is_not_applied(
    alice_client: Client, job: ImportJob, globex: Workspace
) -> None:
    theirs = ImportMapping.objects.create(
        workspace=globex, name="Theirs", mapping={"City": "region"}
    )

    response = alice_client.get(f"/imports/{job.pk}/?saved={theirs.pk}")

    assert response.status_code == HTTPStatus.OK
    assert response.context["error"] == "No such mapping."
    assert '<option value="city" selected>City</option>' in response.content.decode()


def test_error_report_lists_the_bad_row(
    alice_client: Client, job: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    run(alice_client, job, django_capture_on_commit_callbacks, dry_run=False)

    response = alice_client.get(f"/imports/{job.pk}/errors.csv")
    dry = alice_client.get(f"/imports/{job.pk}/errors.csv?dry_run=1")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["file", "row", "field", "reason"],
        ["people.csv", "3", "emails[0]", "'not-an-email' is not a valid e-mail address."],
    ]
    assert dry.content.decode().splitlines() == ["file,row,field,reason"]  # no dry run yet


def test_status_json(alice_client: Client, job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status="checking", is_dry_run=True, processed_rows=2, seconds=4, checked={"created": 2}
    )

    response = alice_client.get(f"/imports/{job.pk}/status.json")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "status": "checking",
        "status_label": "Dry run",
        "percent": 66,
        "processed_rows": 2,
        "total_rows": 3,
        "rows_per_second": 0.5,
        "eta_seconds": 2,
        "created": 0,
        "updated": 0,
        "merged": 0,
        "rejected": 0,
        "checked": {"created": 2},
        "show": {
            "status_label": "Dry run",
            "percent": "66%",
            "processed_rows": "2",
            "rate": " · 0 rows/s",
            "eta": " · 2 s left",
            "created": "0",
            "updated": "0",
            "merged": "0",
            "rejected": "0",
            "checked.created": "2",
            "checked.updated": "0",
            "checked.merged": "0",
            "checked.rejected": "0",
        },
    }


def test_a_running_import_page_polls_and_can_be_cancelled(
    alice_client: Client, job: ImportJob
) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1, seconds=1)

    html = alice_client.get(f"/imports/{job.pk}/").content.decode()
    response = alice_client.post(f"/imports/{job.pk}/cancel")

    assert f'data-status-url="/imports/{job.pk}/status.json"' in html
    assert 'data-active="[&quot;checking&quot;, &quot;queued&quot;, &quot;running&quot;]"' in html
    assert '<script src="/static/talentloop/follow.js" defer></script>' in html
    assert '<progress max="100" value="33"' in html
    assert (
        '<span data-field="rate"> · 1 rows/s</span><span data-field="eta"> · 2 s left</span>'
        in html
    )
    assert ">Cancel</button>" in html
    assert ">Import</button>" not in html
    assert response.status_code == HTTPStatus.FOUND
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_running_twice_says_it_is_running(
    alice_client: Client, job: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status="queued")

    response = run(alice_client, job, django_capture_on_commit_callbacks, dry_run=False)

    assert response.status_code == HTTPStatus.FOUND
    page = alice_client.get(response["Location"]).content.decode()
    assert "This import is already running." in page
    assert Candidate.objects.count() == 0


def test_run_and_cancel_take_only_post(alice_client: Client, job: ImportJob) -> None:
    assert alice_client.get(f"/imports/{job.pk}/run").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert (
        alice_client.get(f"/imports/{job.pk}/cancel").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    )


def test_a_recruiter_can_import(
    bob_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(bob_client)
    job = ImportJob.objects.get()

    run(bob_client, job, django_capture_on_commit_callbacks, dry_run=False)

    job.refresh_from_db()
    assert (job.created_by.email if job.created_by else "", job.status) == ("bob@acme.test", "done")
    assert Candidate.objects.count() == 2


@pytest.mark.parametrize("role", [Role.HIRING_MANAGER, Role.AUDITOR])
def test_roles_that_cannot_edit_candidates_are_refused(
    role: str,
    job: ImportJob,
    acme: Workspace,
    member_factory: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = Client()
    client.force_login(member_factory("hank@acme.test", acme, role))
    before = stored_state()
    home = client.get("/").content.decode()

    responses = [
        client.get("/imports/"),
        upload(client),
        client.get(f"/imports/{job.pk}/"),
        client.get(f"/imports/{job.pk}/status.json"),
        client.get(f"/imports/{job.pk}/errors.csv"),
        run(client, job, django_capture_on_commit_callbacks, dry_run=False),
        client.post(f"/imports/{job.pk}/cancel"),
    ]

    assert [r.status_code for r in responses] == [HTTPStatus.FORBIDDEN] * 7
    assert "Your role does not allow importing candidates." in responses[0].content.decode()
    assert 'href="/imports/"' not in home
    assert stored_state() == before
    assert ImportJob.objects.get().status == "draft"


def test_another_workspace_gets_not_found(
    charlie_client: Client, job: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    responses = [
        charlie_client.get(f"/imports/{job.pk}/"),
        charlie_client.get(f"/imports/{job.pk}/status.json"),
        charlie_client.get(f"/imports/{job.pk}/errors.csv"),
        run(charlie_client, job, django_capture_on_commit_callbacks, dry_run=False),
        charlie_client.post(f"/imports/{job.pk}/cancel"),
        charlie_client.get("/imports/999999/"),
    ]
    listing = charlie_client.get("/imports/").content.decode()

    assert [r.status_code for r in responses] == [HTTPStatus.NOT_FOUND] * 6
    assert "people.csv" not in listing
    job.refresh_from_db()
    assert (job.status, Candidate.objects.count()) == ("draft", 0)


def test_a_binary_file_is_refused_with_the_reason(alice_client: Client, tmp_path: Path) -> None:
    response = upload(alice_client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="photo.png")

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors["file"] == [
        "photo.png is an image, an unsupported file type: import CSV, XLSX, JSON or JSON Lines."
    ]
    assert "an unsupported file type" in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert list((tmp_path / "imports").iterdir()) == []  # the upload was removed


def test_an_upload_without_a_file_is_refused(alice_client: Client) -> None:
    response = alice_client.post("/imports/", {"source": "import"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors["file"] == ["This field is required."]
    assert ImportJob.objects.count() == 0


@pytest.mark.browser
def test_in_a_browser_upload_check_and_import(
    page: Any, alice: User, sign_in: Callable[[Any, User], None], tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE)
    sign_in(page, alice)
    page.goto("/imports/")

    page.get_by_label("File").set_input_files(str(people))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert page.get_by_label("E-mail", exact=True).input_value() == "emails"
    page.get_by_label("City").select_option("")
    page.get_by_role("button", name="Check (dry run)").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert page.locator('[data-field="checked.created"]').inner_text() == "2"
    page.get_by_role("button", name="Import").click()

    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert page.locator('[data-field="status_label"]').inner_text() == "Done"
    assert page.locator('[data-field="created"]').inner_text() == "2"
    assert sorted(Candidate.objects.values_list("first_name", "city")) == [
        ("Ada", ""),
        ("Grace", ""),
    ]


@pytest.mark.browser
def test_in_a_browser_the_progress_follows_the_job(
    page: Any, alice: User, sign_in: Callable[[Any, User], None], alice_actor: Any, tmp_path: Path
) -> None:
    from talentloop.imports.services import create_job

    people = tmp_path / "people.csv"
    people.write_text(PEOPLE)
    job = create_job(actor=alice_actor, path=people)
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1, seconds=1)
    sign_in(page, alice)
    page.goto(f"/imports/{job.pk}/")
    percent = page.locator('[data-field="percent"]')
    assert percent.inner_text() == "33%"

    ImportJob.objects.filter(pk=job.pk).update(processed_rows=2, seconds=2, created=2)
    page.wait_for_function("document.querySelector('[data-field=percent]').textContent === '66%'")
    assert page.locator("progress").get_attribute("value") is not None
    assert page.locator("progress").evaluate("bar => bar.value") == 66
    assert page.locator('[data-field="created"]').inner_text() == "2"
    ImportJob.objects.filter(pk=job.pk).update(status="done", processed_rows=3)

    page.wait_for_selector(".status-done")  # reloaded when the job ended
    assert percent.inner_text() == "100%"
    assert page.get_by_role("button", name="Cancel").count() == 0
