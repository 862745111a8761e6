"""`talentloop import` (the import_candidates command) and the importing service behind it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from talentloop.__main__ import main
from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates import importing
from talentloop.candidates.models import Activity, Candidate, CandidateEmail, Tag
from talentloop.candidates.services import create_candidate, define_custom_field
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor

HEADER = "first_name,last_name,emails,phones,links,tags,current_title,current_company"


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def make(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


def _import(path: Path, *args: str, actor: str = "alice@acme.test") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    actor_args = ["--actor", actor] if actor else []
    call_command("import_candidates", str(path), *actor_args, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _names() -> list[str]:
    return sorted(Candidate.objects.values_list("first_name", flat=True))


def _nothing_written() -> bool:
    return not (
        Candidate.objects.exists()
        or Activity.objects.exists()
        or AuditEvent.objects.filter(action=AuditEvent.Action.CANDIDATE_CREATED).exists()
        or Tag.objects.exists()
    )


# --- CSV -----------------------------------------------------------------------------------


def test_imports_csv_rows_through_the_service(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "people.csv",
        f"{HEADER}\n"
        "Ada,Lovelace, Ada@Example.COM ; ada@work.test ,(415) 555-2671,"
        "www.linkedin.com/in/Ada/;github.com/ada,math; Poetry ,Analyst,Babbage & Co\n"
        "Grace,Hopper,grace@navy.test,,,,,\n",
    )

    out, err = _import(path)

    assert (
        out
        == "Imported people.csv into Acme Talent: 2 created, 0 skipped (duplicates), 0 failed.\n"
    )
    assert err == ""
    ada = Candidate.objects.get(first_name="Ada")
    assert [e.email for e in ada.emails.all()] == ["ada@example.com", "ada@work.test"]
    assert [p.number for p in ada.phones.all()] == ["+14155552671"]
    assert [(link.url, link.kind) for link in ada.links.all()] == [
        ("https://linkedin.com/in/ada", "linkedin"),
        ("https://github.com/ada", "github"),
    ]
    assert sorted(t.name for t in ada.tags.all()) == ["Poetry", "math"]
    assert (ada.current_title, ada.current_company) == ("Analyst", "Babbage & Co")
    assert (ada.source, ada.source_detail, ada.owner_id) == ("import", "people.csv", alice.pk)
    created = AuditEvent.objects.filter(action=AuditEvent.Action.CANDIDATE_CREATED)
    assert sorted(created.values_list("target_label", flat=True)) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert set(created.values_list("actor_label", flat=True)) == {"alice@acme.test"}
    assert Activity.objects.filter(type=Activity.Type.CREATED).count() == 2


def test_header_may_have_spaces_case_and_a_byte_order_mark(alice: User, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff First_Name , EMAILS ,\r\nAda,ada@example.com,\r\n".encode())

    _import(path)

    assert [e.email for e in CandidateEmail.objects.all()] == ["ada@example.com"]


def test_custom_field_columns_fill_custom_fields(
    alice_actor: Actor, write: Callable[[str, str], Path]
) -> None:
    define_custom_field(actor=alice_actor, key="salary", label="Salary", field_type="number")
    define_custom_field(actor=alice_actor, key="remote", label="Remote", field_type="boolean")
    path = write(
        "people.csv",
        "first_name,custom_fields.salary,custom_fields.remote\nAda,120,yes\nGrace,,\n",
    )

    _import(path)

    assert Candidate.objects.get(first_name="Ada").custom_fields == {"salary": 120, "remote": True}
    assert Candidate.objects.get(first_name="Grace").custom_fields == {}


def test_tags_and_source_from_the_command_line(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "event.csv",
        "first_name,tags,source,source_detail\nAda,python,,\nGrace,,referral,From Bob\n",
    )

    _import(path, "--source", "event", "--tag", "PyCon 2026", "--tag", "hot", "python")

    ada, grace = Candidate.objects.order_by("first_name")
    assert (ada.source, ada.source_detail) == ("event", "event.csv")
    assert (grace.source, grace.source_detail) == ("referral", "From Bob")
    assert sorted(t.name for t in ada.tags.all()) == ["PyCon 2026", "hot", "python"]
    assert sorted(t.name for t in grace.tags.all()) == ["PyCon 2026", "hot", "python"]


def test_without_an_actor_the_system_imports(
    acme: Workspace, write: Callable[[str, str], Path]
) -> None:
    path = write("people.csv", "first_name\nAda\n")

    _import(path, actor="")

    assert Candidate.objects.get().owner_id is None
    assert AuditEvent.objects.get().actor_label == "system"


def test_bad_rows_do_not_stop_the_good_ones(alice: User, write: Callable[[str, str], Path]) -> None:
    path = write(
        "people.csv",
        "first_name,emails,phones,country\n"
        "Ada,ada@example.com,,GB\n"
        "Bad,not-an-email,,\n"
        ",nameless@example.com,,\n"
        "Worse,worse@example.com,12,Germany\n"
        "Grace,grace@navy.test,,US\n",
    )

    out, err = _import(path)

    assert _names() == ["Ada", "Grace"]
    assert (
        out
        == "Imported people.csv into Acme Talent: 2 created, 0 skipped (duplicates), 3 failed.\n"
    )
    assert err.splitlines() == [
        "  row 3, emails[0]: 'not-an-email' is not a valid e-mail address.",
        "  row 4, first_name: A first name is required.",
        "  row 5, country: 'Germany' is not a two-letter country code (ISO 3166).",
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CANDIDATE_CREATED).count() == 2


def test_a_row_that_breaks_unexpectedly_is_only_that_rows_failure(
    alice: User,
    write: Callable[[str, str], Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def flaky(*, actor: Actor, data: Any) -> Candidate:
        if data["first_name"] == "Boom":
            Candidate.objects.create(workspace=actor.workspace, first_name="half-written")
            raise RuntimeError("connection reset")
        return create_candidate(actor=actor, data=data)

    monkeypatch.setattr(importing, "create_candidate", flaky)
    path = write("people.csv", "first_name\nAda\nBoom\nGrace\n")

    out, err = _import(path)

    assert _names() == ["Ada", "Grace"]  # the half-written row was rolled back
    assert "2 created, 0 skipped (duplicates), 1 failed" in out
    assert err == "  row 3: Unexpected error: connection reset\n"
    assert "import of row 3 failed" in caplog.text


def test_an_email_that_exists_is_a_skipped_duplicate(
    alice: User, candidate_factory: Callable[..., Candidate], write: Callable[[str, str], Path]
) -> None:
    existing = candidate_factory(first_name="Existing", emails=["ada@example.com"])
    path = write("people.csv", "first_name,emails\nAda,ADA@example.com;new@example.com\nGrace,\n")

    out, err = _import(path)

    assert _names() == ["Existing", "Grace"]
    assert "1 created, 1 skipped (duplicates), 0 failed" in out
    assert err == (
        f"  row 2, emails: duplicate: ada@example.com already belongs to candidate {existing.pk}.\n"
    )
    assert CandidateEmail.objects.filter(email="new@example.com").exists() is False


def test_a_repeated_email_within_the_file_is_a_duplicate(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "people.csv", "first_name,emails\nAda,ada@example.com\nAda again,Ada@Example.com\n"
    )

    _, err = _import(path)

    assert _names() == ["Ada"]
    assert err == "  row 3, emails: duplicate: ada@example.com is also in row 2.\n"


def test_a_duplicate_in_another_workspace_is_not_a_duplicate(
    alice: User, charlie_candidate: Candidate, write: Callable[[str, str], Path]
) -> None:
    path = write("people.csv", "first_name,emails\nOther,other@globex.test\n")

    _import(path)

    assert CandidateEmail.objects.filter(email="other@globex.test").count() == 2


def test_row_numbers_are_spreadsheet_rows(alice: User, write: Callable[[str, str], Path]) -> None:
    path = write(
        "people.csv",
        # 2: a cell over two lines, 3: blank, 4: bad, 5: empty, 6: good, 7: blank, 8: bad
        'first_name,headline\nAda,"Two\nlines"\n,,\nBad,x,extra\n\nNope,ok\n,\nBad,y,more\n',
    )

    _, err = _import(path)

    assert _names() == ["Ada", "Nope"]
    assert err.splitlines() == [
        "  row 4: This row has more cells than the header has columns.",
        "  row 8: This row has more cells than the header has columns.",
    ]


# --- JSON and JSON Lines -------------------------------------------------------------------


def test_imports_a_json_list_of_api_shaped_objects(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    people = [
        {
            "first_name": "Ada",
            "emails": ["ada@example.com"],
            "phones": [{"number": "+44 20 7946 0958", "kind": "work"}],
            "links": [{"url": "https://ada.dev"}],
            "years_experience": 12.5,
            "tags": ["math"],
        },
        {"first_name": "Grace", "source": "referral"},
    ]
    path = write("people.json", json.dumps(people))

    out, _ = _import(path)

    assert "2 created, 0 skipped (duplicates), 0 failed" in out
    ada = Candidate.objects.get(first_name="Ada")
    assert [(p.number, p.kind) for p in ada.phones.all()] == [("+442079460958", "work")]
    assert [(link.url, link.kind) for link in ada.links.all()] == [("https://ada.dev", "website")]
    assert str(ada.years_experience) == "12.5"
    assert ada.source == "import"
    assert Candidate.objects.get(first_name="Grace").source == "referral"


def test_json_entries_are_validated_like_api_requests(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    people: list[Any] = [
        {"first_name": "Ada", "nickname": "Countess"},
        "Grace Hopper",
        {"last_name": "Nameless"},
        {"first_name": "Bad", "phones": [{"number": "+1 415 555 2671", "kind": "pager"}]},
        {"first_name": "Ok", "years_experience": "many"},
        {"first_name": "Fine"},
    ]
    path = write("people.json", json.dumps(people))

    out, err = _import(path)

    assert _names() == ["Fine"]
    assert "1 created, 0 skipped (duplicates), 5 failed" in out
    assert err.splitlines() == [
        "  row 1, nickname: Extra inputs are not permitted",
        "  row 2: Each candidate must be a JSON object.",
        "  row 3, first_name: Field required",
        "  row 4, phones[0].kind: 'pager' is not a phone kind.",
        "  row 5, years_experience: Input should be a valid number, unable to parse string as a"
        " number",
    ]


def test_imports_json_lines_and_names_bad_lines(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "people.jsonl",
        '{"first_name": "Ada", "emails": ["ada@example.com"]}\n'
        "\n"
        "{not json}\n"
        '{"first_name": "Grace"}\n',
    )

    out, err = _import(path)

    assert _names() == ["Ada", "Grace"]
    assert "2 created, 0 skipped (duplicates), 1 failed" in out
    assert err == "  row 3: Not valid JSON: Expecting property name enclosed in double quotes.\n"


# --- dry run and the error report ----------------------------------------------------------


def test_dry_run_checks_every_row_and_writes_nothing(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "people.csv",
        "first_name,emails,tags\nAda,ada@example.com,new-tag\nBad,nope,\nAda2,ada@example.com,\n",
    )

    out, err = _import(path, "--dry-run")

    assert out == (
        "Dry run of people.csv for Acme Talent: 1 would be created, 1 skipped (duplicates), "
        "1 failed. Nothing was written.\n"
    )
    assert err.splitlines() == [
        "  row 3, emails[0]: 'nope' is not a valid e-mail address.",
        "  row 4, emails: duplicate: ada@example.com is also in row 2.",
    ]
    assert _nothing_written()


def test_dry_run_reports_what_the_real_run_does(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "people.csv", "first_name,emails\nAda,ada@example.com\nBad,nope\nAda,ADA@example.com\n"
    )

    dry, dry_err = _import(path, "--dry-run")
    real, real_err = _import(path)

    assert (
        dry.split(": ", 1)[1]
        .replace("would be created", "created")
        .replace(" Nothing was written.", "")
        == real.split(": ", 1)[1]
    )
    assert dry_err == real_err


def test_errors_file_lists_every_problem(
    alice: User, tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    path = write(
        "people.json",
        json.dumps(
            [
                {"first_name": "Ada", "emails": ["a@x.test"]},
                {"first_name": "A", "emails": ["a@x.test"]},
                {"first_name": "B", "=HYPERLINK(1)": 1},
            ]
        ),
    )
    errors = tmp_path / "errors.csv"

    out, err = _import(path, "--errors", str(errors))

    assert out.splitlines()[1] == f"Wrote 2 problems to {errors}."
    assert err == ""
    with errors.open(newline="", encoding="utf-8") as stream:
        assert list(csv.reader(stream)) == [
            ["row", "field", "reason"],
            ["2", "emails", "duplicate: a@x.test is also in row 1."],
            ["3", "'=HYPERLINK(1)", "Extra inputs are not permitted"],
        ]


def test_errors_file_has_a_header_even_without_problems(
    alice: User, tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    errors = tmp_path / "errors.csv"

    _import(write("people.csv", "first_name\nAda\n"), "--errors", str(errors))

    assert errors.read_bytes() == b"row,field,reason\r\n"


def test_only_the_first_problems_are_printed(
    alice: User, write: Callable[[str, str], Path]
) -> None:
    path = write("people.csv", "first_name,emails\n" + "Bad,nope\n" * 25)

    _, err = _import(path)

    lines = err.splitlines()
    assert len(lines) == 21
    assert lines[-1] == "  … and 5 more: use --errors FILE to get them all."


def test_progress_is_reported_once_per_row(
    alice_actor: Actor, write: Callable[[str, str], Path]
) -> None:
    file = importing.open_import(write("people.csv", "first_name\nAda\n\nBad,x\nGrace\n"))
    steps: list[int] = []

    report = importing.import_candidates(actor=alice_actor, file=file, progress=steps.append)

    assert file.rows == 3
    assert steps == [1, 1, 1]
    assert (report.created, report.skipped, report.failed, report.total) == (2, 0, 1, 3)


# --- bad arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.xlsx", "x", "Cannot import .xlsx files: use .csv, .json, .jsonl, .ndjson."),
        ("people", "x", "Cannot import extension-less files: use .csv, .json, .jsonl, .ndjson."),
        ("empty.csv", "", "empty.csv is empty: the first row must name the columns."),
        ("people.csv", "last_name\nLovelace\n", "The file needs a first_name column."),
        ("people.csv", "first_name,nickname\nAda,A\n", "Unknown column 'nickname'. Columns are: "),
        ("people.csv", "first_name,First_Name\nAda,A\n", "Column 'first_name' appears twice."),
        (
            "people.json",
            '{"first_name": "Ada"}',
            "people.json must hold a JSON list of candidates.",
        ),
        ("people.json", "[{", "people.json is not valid JSON: "),
    ],
)
def test_a_bad_file_is_a_clear_error(
    alice: User, write: Callable[[str, str], Path], name: str, content: str, message: str
) -> None:
    path = write(name, content)

    with pytest.raises(CommandError) as error:
        _import(path)

    assert str(error.value).startswith(message)
    assert _nothing_written()


def test_a_file_that_is_not_utf8_is_refused_before_any_row(alice: User, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("first_name\nAda\nZoë\n".encode("latin-1"))

    with pytest.raises(
        CommandError, match=r"^latin1.csv is not UTF-8 text \(line 3\): save it as UTF-8.$"
    ):
        _import(path)

    assert _nothing_written()


def test_a_missing_file_is_a_clear_error(alice: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^No such file: .*nowhere\.csv$"):
        _import(tmp_path / "nowhere.csv")


def test_a_folder_is_not_a_file(alice: User, tmp_path: Path) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()

    with pytest.raises(CommandError, match=r"folder\.csv is not a file\.$"):
        _import(folder)


def test_unknown_workspace_is_a_clear_error(
    alice: User, globex: Workspace, write: Callable[[str, str], Path]
) -> None:
    with pytest.raises(CommandError) as error:
        _import(write("people.csv", "first_name\nAda\n"), "--workspace", "initech")

    assert str(error.value) == "No workspace 'initech'. Workspaces: acme, globex."


@pytest.mark.parametrize("email", ["nobody@acme.test", "charlie@globex.test"])
def test_an_actor_who_is_not_a_member_is_a_clear_error(
    alice: User, charlie: User, write: Callable[[str, str], Path], email: str
) -> None:
    with pytest.raises(CommandError) as error:
        _import(write("people.csv", "first_name\nAda\n"), actor=email)

    assert str(error.value) == f"{email} is not a member of Acme Talent."
    assert _nothing_written()


def test_an_actor_who_may_not_create_candidates_is_a_clear_error(
    acme: Workspace, member_factory: Callable[..., User], write: Callable[[str, str], Path]
) -> None:
    member_factory("audrey@acme.test", acme, Role.AUDITOR)

    with pytest.raises(CommandError) as error:
        _import(write("people.csv", "first_name\nAda\n"), actor="audrey@acme.test")

    assert (
        str(error.value)
        == "audrey@acme.test has the auditor role in Acme Talent and cannot create candidates."
    )


def test_an_errors_file_in_a_missing_folder_is_refused_up_front(
    alice: User, tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    errors = tmp_path / "missing" / "errors.csv"

    with pytest.raises(
        CommandError, match=r"^Cannot write .*errors\.csv: No such file or directory\.$"
    ):
        _import(write("people.csv", "first_name\nAda\n"), "--errors", str(errors))

    assert _nothing_written()


def test_an_unknown_source_is_refused(alice: User, write: Callable[[str, str], Path]) -> None:
    with pytest.raises(CommandError, match="argument --source: invalid choice: 'linkedin'"):
        _import(write("people.csv", "first_name\nAda\n"), "--source", "linkedin")


# --- the `talentloop import` command line ----------------------------------------------------


@pytest.fixture
def _keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # A command run from the command line closes every connection when it ends; in a test that
    # would end the test's own transaction on PostgreSQL.
    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.mark.usefixtures("_keep_test_connection")
def test_talentloop_import_runs_the_command(
    alice: User, write: Callable[[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("people.csv", "first_name\nAda\n")

    main(["import", str(path), "--actor", "alice@acme.test"])

    assert _names() == ["Ada"]
    assert "Imported people.csv into Acme Talent: 1 created" in capsys.readouterr().out


@pytest.mark.usefixtures("_keep_test_connection")
def test_talentloop_import_reports_bad_arguments_without_a_traceback(
    alice: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(tmp_path / "nowhere.csv")])

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err == f"CommandError: No such file: {tmp_path / 'nowhere.csv'}\n"
