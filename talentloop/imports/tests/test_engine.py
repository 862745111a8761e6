"""The import engine end to end: rows in, candidates out, once each, resumable."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate, CandidateTag
from talentloop.candidates.services import delete_candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden
from talentloop.core.tests.fixtures import actor_for
from talentloop.imports import engine, services
from talentloop.imports.models import ImportJob

HEADER = ["First Name", "Last Name", "Email Address", "Mobile", "LinkedIn", "Job Title", "Skills"]
ROWS = [
    ["Ada", "Lovelace", "ada@engines.test", "+44 20 7946 0018", "", "Analyst", "math; poetry"],
    ["Grace", "Hopper", "grace@navy.test", "", "https://linkedin.com/in/ghopper", "", "cobol"],
    ["Bad", "Row", "not-an-email", "", "", "", ""],
    ["ADA", "", "ADA@ENGINES.TEST", "", "", "Countess", "engines"],  # row 2's person again
    ["Alan", "Turing", "alan@bletchley.test", "+44 20 7946 0999", "", "", ""],
]


def _csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(
    actor: Actor, path: Path, *, dry_run: bool = False, tags: tuple[str, ...] = (), **kw: Any
) -> ImportJob:
    job = services.create_job(actor=actor, path=path, tags=tags)
    job = services.start_now(actor=actor, job=job, dry_run=dry_run)
    services.run_job(job, actor, **kw)
    job.refresh_from_db()
    return job


def _people(workspace: Workspace) -> list[tuple[Any, ...]]:
    """Everything an import writes about people, comparable across runs (no ids or times)."""
    return [
        (
            c.first_name,
            c.last_name,
            c.current_title,
            c.search_text,
            sorted(c.emails.values_list("email", "is_primary")),
            sorted(c.phones.values_list("number", flat=True)),
            sorted(c.links.values_list("url", "kind")),
            sorted(c.tags.values_list("name", flat=True)),
            sorted(Activity.objects.filter(candidate=c).values_list("type", flat=True)),
        )
        for c in Candidate.objects.filter(workspace=workspace).order_by("first_name", "last_name")
    ]


def test_rows_become_candidates_with_contacts_tags_and_a_timeline_entry(
    alice_actor: Actor, tmp_path: Path
) -> None:
    job = _run(alice_actor, _csv(tmp_path / "people.csv", ROWS), tags=("london",))

    assert (job.status, job.created, job.updated, job.merged, job.rejected) == (
        ImportJob.Status.DONE,
        3,
        0,
        1,
        1,
    )
    ada = Candidate.objects.get(first_name="Ada")
    assert ada.last_name == "Lovelace"
    assert ada.current_title == "Analyst"  # the later row fills only what was empty
    assert ada.source == "import" and ada.source_detail == "people.csv"
    assert list(ada.emails.values_list("email", flat=True)) == ["ada@engines.test"]
    assert list(ada.phones.values_list("number", flat=True)) == ["+442079460018"]
    assert sorted(ada.tags.values_list("name", flat=True)) == [
        "engines",
        "london",
        "math",
        "poetry",
    ]
    assert ada.search_text == "ada lovelace engines test analyst"
    (entry,) = Activity.objects.filter(candidate=ada)
    assert entry.type == Activity.Type.CREATED
    assert entry.summary == f"Imported by import #{job.pk} (people.csv)"
    assert entry.payload == {"import_id": job.pk, "rows": [2, 5]}
    grace = Candidate.objects.get(first_name="Grace")
    assert list(grace.links.values_list("url", "kind")) == [
        ("https://linkedin.com/in/ghopper", "linkedin")
    ]
    audit = AuditEvent.objects.get(action=AuditEvent.Action.CANDIDATES_IMPORTED)
    assert audit.target_id == job.pk
    assert sorted(audit.extra["created"]) == sorted(Candidate.objects.values_list("id", flat=True))


def test_a_bad_row_is_reported_and_the_good_ones_are_kept(
    alice_actor: Actor, tmp_path: Path
) -> None:
    job = _run(alice_actor, _csv(tmp_path / "people.csv", ROWS))

    assert list(job.row_errors.values_list("row", "field", "reason")) == [
        (4, "emails[0]", "'not-an-email' is not a valid e-mail address.")
    ]
    assert Candidate.objects.count() == 3
    report = io.StringIO()
    services.write_error_report(job, report, dry_run=False)
    assert report.getvalue().splitlines() == [
        "file,row,field,reason",
        "people.csv,4,emails[0],'not-an-email' is not a valid e-mail address.",
    ]


def test_a_row_whose_email_phone_or_profile_is_stored_updates_that_candidate(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], tmp_path: Path
) -> None:
    by_email = candidate_factory(first_name="Ada", emails=["ada@engines.test"])
    by_phone = candidate_factory(first_name="Alan", phones=[{"number": "+442079460999"}])
    by_link = candidate_factory(
        first_name="Grace", links=[{"url": "https://linkedin.com/in/ghopper"}]
    )

    job = _run(alice_actor, _csv(tmp_path / "people.csv", ROWS))

    assert (job.created, job.updated, job.merged, job.rejected) == (0, 3, 1, 1)
    assert Candidate.objects.count() == 3
    by_email.refresh_from_db()
    assert by_email.current_title == "Analyst"  # was empty: filled
    assert by_email.last_name.startswith("Lovelace")  # was set: kept
    assert sorted(by_email.tags.values_list("name", flat=True)) == ["engines", "math", "poetry"]
    assert list(by_email.phones.values_list("number", flat=True)) == ["+442079460018"]
    assert by_phone.emails.filter(email="alan@bletchley.test").exists()
    assert by_link.emails.filter(email="grace@navy.test").exists()
    assert Activity.objects.filter(
        candidate=by_email, type=Activity.Type.UPDATED, summary__startswith="Updated by import"
    ).exists()


def test_a_dry_run_writes_nothing_and_predicts_the_real_run(
    alice_actor: Actor, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "people.csv", ROWS)

    checked = _run(alice_actor, path, dry_run=True, batch_rows=2)

    assert Candidate.objects.count() == 0
    assert checked.status == ImportJob.Status.CHECKED
    assert checked.checked == {"created": 3, "updated": 0, "merged": 1, "rejected": 1}
    assert checked.row_errors.filter(is_dry_run=True).count() == 1
    real = _run(alice_actor, path, batch_rows=2)
    assert (real.created, real.updated, real.merged, real.rejected) == (3, 0, 1, 1)


def test_the_same_person_in_a_later_batch_is_merged_not_created_twice(
    alice_actor: Actor, tmp_path: Path
) -> None:
    job = _run(alice_actor, _csv(tmp_path / "people.csv", ROWS), batch_rows=1)

    assert (job.created, job.merged) == (3, 1)
    assert Candidate.objects.filter(first_name="Ada").count() == 1


def test_a_stopped_import_resumes_to_the_same_result(
    alice_actor: Actor, tmp_path: Path, globex: Workspace, member_factory: Callable[..., User]
) -> None:
    rows = [
        [f"Person{i}", "Test", f"p{i % 7}@x.test" if i % 3 else f"q{i}@x.test", "", "", "", "t"]
        for i in range(30)
    ]
    path = _csv(tmp_path / "people.csv", rows)
    # The uninterrupted run, in another workspace.
    other = actor_for(member_factory("olga@globex.test", globex, Role.ADMIN))
    whole = _run(other, path, batch_rows=4)
    # The interrupted one: the "worker" dies after the third batch has committed.
    calls = {"n": 0}

    def die_after_three(job: ImportJob, rows: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise engine.Stop

    job = services.create_job(actor=alice_actor, path=path)
    job = services.start_now(actor=alice_actor, job=job, dry_run=False)
    with pytest.raises(engine.Stop):
        engine.run(job, alice_actor, dry_run=False, progress=die_after_three, batch_rows=4)
    job.refresh_from_db()
    assert (job.checkpoint_row, job.processed_rows) == (13, 12)  # header is row 1
    # Restarted: the same job continues from its checkpoint.
    job = services.start_now(actor=alice_actor, job=job, dry_run=False)
    engine.run(job, alice_actor, dry_run=False, batch_rows=4)
    job.refresh_from_db()

    assert job.processed_rows == 30
    assert (job.created, job.updated + job.merged, job.rejected) == (
        whole.created,
        whole.updated + whole.merged,
        whole.rejected,
    )
    assert _people(alice_actor.workspace) == _people(globex)


def test_an_email_of_a_deleted_candidate_rejects_the_row(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate], tmp_path: Path
) -> None:
    gone = candidate_factory(first_name="Ada", emails=["ada@engines.test"])
    delete_candidate(actor=alice_actor, candidate=gone)

    job = _run(alice_actor, _csv(tmp_path / "people.csv", ROWS[:1]))

    assert (job.created, job.rejected) == (0, 1)
    assert job.row_errors.get().reason == (
        "ada@engines.test belongs to a deleted candidate; restore or erase it first."
    )


def test_a_role_that_cannot_edit_candidates_cannot_import(
    acme: Workspace, member_factory: Callable[..., User], tmp_path: Path
) -> None:
    auditor = actor_for(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    with pytest.raises(Forbidden):
        services.create_job(actor=auditor, path=_csv(tmp_path / "people.csv", ROWS))


def test_an_xlsx_file_imports_like_its_csv(alice_actor: Actor, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(tmp_path / "people.xlsx")

    job = _run(alice_actor, tmp_path / "people.xlsx")

    assert (job.format, job.created, job.merged, job.rejected) == ("xlsx", 3, 1, 1)
    assert CandidateTag.objects.count() == 4  # math, poetry, engines; cobol


def test_cancelling_stops_after_the_current_batch(alice_actor: Actor, tmp_path: Path) -> None:
    job = services.create_job(actor=alice_actor, path=_csv(tmp_path / "people.csv", ROWS))
    job = services.start_now(actor=alice_actor, job=job, dry_run=False)

    def cancel(job: ImportJob, rows: int) -> None:
        services.cancel_job(actor=alice_actor, job=job)

    with pytest.raises(engine.Stop):
        engine.run(job, alice_actor, dry_run=False, progress=cancel, batch_rows=2)
    assert Candidate.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_worker_processes_prepare_rows_to_the_same_result(
    alice: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = actor_for(alice)
    monkeypatch.setattr(engine, "POOL_MIN_ROWS", 1)
    path = _csv(tmp_path / "people.csv", ROWS * 3)  # rows 6-15 repeat the first five people

    job = services.create_job(actor=actor, path=path)
    job = services.start_now(actor=actor, job=job, dry_run=False)
    engine.run(job, actor, dry_run=False, batch_rows=2, workers=2)
    job.refresh_from_db()

    assert (job.processed_rows, job.created, job.updated + job.merged, job.rejected) == (
        15,
        3,
        9,
        3,
    )
    assert Candidate.objects.filter(workspace=actor.workspace).count() == 3


def test_fuzzy_duplicates_of_imported_people_reach_the_review_queue(
    alice_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from talentloop.duplicates.models import DuplicateSuggestion
    from talentloop.duplicates.services import check_candidate

    stored = candidate_factory(
        first_name="Robert", last_name="Smith", current_title="Engineer", city="Berlin"
    )
    check_candidate(candidate_id=stored.pk)
    rows = [["Bob", "Smith", "bob@smith.test", "", "", "Engineer", ""]]
    job = services.create_job(actor=alice_actor, path=_csv(tmp_path / "p.csv", rows, HEADER))
    job = services.start_now(actor=alice_actor, job=job, dry_run=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.run_job(job, alice_actor)

    (imported,) = services.touched_candidates(job)
    suggestion = DuplicateSuggestion.objects.get()
    assert {suggestion.left_id, suggestion.right_id} == {stored.pk, imported}


def test_imported_people_are_found_by_search(alice_actor: Actor, tmp_path: Path) -> None:
    from talentloop.candidates.selectors import candidate_page, parse_filters

    _run(alice_actor, _csv(tmp_path / "people.csv", ROWS))
    Candidate.objects.create(
        workspace=alice_actor.workspace, first_name="Later", search_text="later"
    )

    def found(text: str) -> list[str]:
        rows, _ = candidate_page(alice_actor, parse_filters(text=text))
        return sorted(row["first_name"] for row in rows)

    assert found("lovelace") == ["Ada"]
    assert found("navy") == ["Grace"]  # the e-mail's words
    assert found("later") == ["Later"]  # the insert trigger is back for everyone else
