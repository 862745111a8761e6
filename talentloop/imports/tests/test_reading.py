"""Reading import files: formats, encodings, broken rows, JSON Resume, folders, resuming."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from talentloop.imports.reading import (
    FORMATS,
    ImportFileError,
    RawRecord,
    count_records,
    detect_format,
    import_files,
    iter_records,
    read_headers,
)

FILES = Path(__file__).parent / "files"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def records(path: Path, after_row: int = 0) -> list[RawRecord]:
    return list(iter_records(path, after_row=after_row))


# --- CSV --------------------------------------------------------------------------------------


def test_csv_with_bom_semicolons_multiline_cell_and_blank_row() -> None:
    path = FILES / "semicolon_bom.csv"

    assert detect_format(path) == "csv"
    assert read_headers(path) == ["First name", "Last name", "E-mail Address", "Notes"]
    assert records(path) == [
        RawRecord(
            2,
            {
                "First name": "Ada",
                "Last name": "Lovelace",
                "E-mail Address": "ada@example.com",
                "Notes": "Line one\r\nline two; with a semicolon",
            },
        ),
        RawRecord(
            4,
            {
                "First name": "Grace",
                "Last name": "Hopper",
                "E-mail Address": "grace@example.com",
                "Notes": "",
            },
        ),
    ]
    assert count_records(path) == 2


def test_csv_in_windows_1252_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "excel.csv", "Name,City\r\nJosé,München\r\n".encode("cp1252"))

    assert records(path) == [RawRecord(2, {"Name": "José", "City": "München"})]


def test_utf8_csv_with_a_stray_windows_1252_byte_keeps_the_rest(tmp_path: Path) -> None:
    head = "Name,City\n" + "Zoë,Berlin\n" * 6000  # the first 64 KB are good UTF-8
    path = write(tmp_path / "mixed.csv", head.encode() + "Renée,Köln\n".encode("cp1252"))

    rows = records(path)

    assert len(rows) == 6001
    assert rows[0] == RawRecord(2, {"Name": "Zoë", "City": "Berlin"})
    assert rows[-1] == RawRecord(6002, {"Name": "Renée", "City": "Köln"})


def test_utf16_csv_with_tabs_as_excel_saves_unicode_text(tmp_path: Path) -> None:
    path = write(tmp_path / "unicode.txt", "Name\tCity\r\nZoë\tKraków\r\n".encode("utf-16"))

    assert detect_format(path) == "csv"
    assert records(path) == [RawRecord(2, {"Name": "Zoë", "City": "Kraków"})]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    lines = ["name,email,city", "Ada Lovelace,ada@example.com,London, UK"]
    if delimiter != ",":
        lines = [
            f"name{delimiter}email{delimiter}city",
            f"Ada Lovelace{delimiter}ada@example.com{delimiter}London, UK",
        ]
    else:
        lines[1] = 'Ada Lovelace,ada@example.com,"London, UK"'
    path = write(tmp_path / "people.csv", "\n".join(lines) + "\n")

    assert records(path) == [
        RawRecord(2, {"name": "Ada Lovelace", "email": "ada@example.com", "city": "London, UK"})
    ]


def test_row_with_more_cells_than_headers_is_an_error_row(tmp_path: Path) -> None:
    path = write(tmp_path / "wide.csv", "a,b,\n1,2,,\n1,2,3\n1\n")

    assert records(path) == [
        RawRecord(2, {"a": "1", "b": "2"}),
        RawRecord(3, None, "This row has more cells than the header has columns."),
        RawRecord(4, {"a": "1"}),
    ]
    assert count_records(path) == 3


def test_duplicate_and_blank_headers_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "dupes.csv", " Email ,,Email,Email,Phone, ,\nx,y,z,w,p\n")

    assert read_headers(path) == ["Email", "Column 2", "Email (2)", "Email (3)", "Phone"]
    assert records(path)[0].cells == {
        "Email": "x",
        "Column 2": "y",
        "Email (2)": "z",
        "Email (3)": "w",
        "Phone": "p",
    }


def test_csv_whose_first_row_is_empty_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "headless.csv", ",,\nAda,Lovelace,ada@example.com\n")

    with pytest.raises(ImportFileError, match=r"first row of headless\.csv must name the columns"):
        read_headers(path)
    with pytest.raises(ImportFileError):
        list(iter_records(path))


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.csv", "\n\n")

    with pytest.raises(ImportFileError, match=r"empty\.csv is empty"):
        detect_format(path)


def test_after_row_skips_rows_already_imported(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", "name\nA\nB\n\nC\nD\n")

    assert [record.row for record in records(path)] == [2, 3, 5, 6]
    assert records(path, after_row=3) == [RawRecord(5, {"name": "C"}), RawRecord(6, {"name": "D"})]
    assert records(path, after_row=6) == []


def test_records_are_a_stream(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", "name\nA\n")

    stream = iter_records(path)

    assert isinstance(stream, Iterator)
    assert next(stream) == RawRecord(2, {"name": "A"})


# --- XLSX -------------------------------------------------------------------------------------


def make_workbook(path: Path) -> Path:
    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "Lookup"
    hidden.append(["not", "this", "sheet"])
    hidden.sheet_state = "hidden"
    sheet = workbook.create_sheet("People")
    sheet.append([])
    sheet.append([None, None])
    sheet.append(["Name", "Phone", "Born", "Started", "Years", "Score", "Name", None, None])
    started = dt.datetime(2019, 3, 4, 9, 30)  # noqa: DTZ001 (spreadsheets have no time zones)
    sheet.append(["Ada", 4155550123.0, dt.date(1815, 12, 10), started, 7])
    sheet.append([None, None, None])
    sheet.append(["Grace", "+1 415 555 0100", None, None, 3.5, True, "Hopper"])
    sheet.append(["Linus", None, None, None, None, None, None, None, "extra"])
    workbook.save(path)
    return path


def test_xlsx_first_visible_sheet_header_and_cell_conversions(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "people.xlsx")

    assert detect_format(path) == "xlsx"
    assert read_headers(path) == ["Name", "Phone", "Born", "Started", "Years", "Score", "Name (2)"]
    assert records(path) == [
        RawRecord(
            4,
            {
                "Name": "Ada",
                "Phone": "4155550123",
                "Born": "1815-12-10",
                "Started": "2019-03-04",
                "Years": "7",
            },
        ),
        RawRecord(
            6,
            {
                "Name": "Grace",
                "Phone": "+1 415 555 0100",
                "Born": "",
                "Started": "",
                "Years": "3.5",
                "Score": "True",
                "Name (2)": "Hopper",
            },
        ),
        RawRecord(7, None, "This row has more cells than the header has columns."),
    ]
    assert count_records(path) == 3
    assert [record.row for record in records(path, after_row=4)] == [6, 7]


def test_xlsx_without_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    Workbook().save(path)

    with pytest.raises(ImportFileError, match=r"blank\.xlsx is empty"):
        read_headers(path)


# --- formats ----------------------------------------------------------------------------------


def test_formats_are_detected_from_content_not_name(tmp_path: Path) -> None:
    assert FORMATS == ("csv", "xlsx", "json", "jsonl")
    assert detect_format(make_workbook(tmp_path / "sheet.csv")) == "xlsx"
    assert detect_format(write(tmp_path / "a.txt", ' \n[{"first_name": "Ada"}]')) == "json"
    assert detect_format(write(tmp_path / "b.csv", '{\n  "basics": {"name": "Ada"}\n}\n')) == "json"
    assert detect_format(write(tmp_path / "c.json", '{"a": 1}\n{"a": 2}\n')) == "jsonl"
    assert detect_format(write(tmp_path / "d.json", "name,email\nAda,ada@example.com\n")) == "csv"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "an image"),
        (b"name,email\n\x00\x01\x02\x03\x04\x05binary\x00\x00", "a binary file"),
    ],
)
def test_binary_files_named_csv_are_refused(tmp_path: Path, content: bytes, what: str) -> None:
    path = write(tmp_path / "people.csv", content)

    with pytest.raises(ImportFileError, match=f"people.csv is {what}, an unsupported file type"):
        detect_format(path)
    with pytest.raises(ImportFileError, match="unsupported"):
        iter_records(path)


def test_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cv.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    with pytest.raises(ImportFileError, match=r"cv\.docx is a Word document, an unsupported"):
        detect_format(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="No such file"):
        detect_format(tmp_path / "nope.csv")


# --- JSON, JSON Lines, JSON Resume ------------------------------------------------------------


RESUME_CELLS = {
    "name": "Ada Lovelace",
    "label": "Analyst",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0000",
    "url": "https://ada.example.com",
    "location.city": "London",
    "location.region": "England",
    "location.countryCode": "GB",
    "profiles.linkedin": "https://www.linkedin.com/in/adalovelace",
    "profiles.github": "https://github.com/ada",
    "profiles.other": ["https://mastodon.example/@ada"],
    "work.current.position": "Programmer",
    "work.current.name": "Analytical Engine Co",
    "skills": ["Mathematics", "Poetry"],
    "summary": "Wrote the first program.",
}


def test_json_resume_document_is_flattened() -> None:
    path = FILES / "resume.json"

    assert detect_format(path) == "json"
    assert records(path) == [RawRecord(1, RESUME_CELLS)]
    assert read_headers(path) == list(RESUME_CELLS)
    assert count_records(path) == 1


def test_list_of_json_resumes_and_the_current_job(tmp_path: Path) -> None:
    resume = json.loads((FILES / "resume.json").read_text())
    finished = {
        "basics": {"name": "Grace Hopper"},
        "work": [
            {"name": "Navy", "position": "Officer", "startDate": "1943", "endDate": "1986"},
            {"company": "Remington Rand", "position": "Mathematician", "startDate": "1949-06"},
        ],
    }
    finished["work"][1]["endDate"] = "1971"  # type: ignore[index]
    path = write(tmp_path / "resumes.json", json.dumps([resume, finished]))

    assert records(path) == [
        RawRecord(1, RESUME_CELLS),
        RawRecord(
            2,
            {
                "name": "Grace Hopper",
                "work.current.position": "Mathematician",
                "work.current.name": "Remington Rand",
            },
        ),
    ]
    assert records(path, after_row=1) == records(path)[1:]


def test_json_list_of_api_shaped_objects(tmp_path: Path) -> None:
    items = [
        {
            "first_name": "Ada",
            "emails": ["ada@example.com", "ada@work.example"],
            "phones": [{"number": "+14155550123"}],
            "custom_fields": {"salary": 100, "notice": "1 month"},
        },
        "not an object",
        {"first_name": "Grace", "city": "Arlington"},
    ]
    path = write(tmp_path / "api.json", json.dumps(items))

    assert records(path) == [
        RawRecord(
            1,
            {
                "first_name": "Ada",
                "emails": ["ada@example.com", "ada@work.example"],
                "phones": [{"number": "+14155550123"}],
                "custom_fields.salary": 100,
                "custom_fields.notice": "1 month",
            },
        ),
        RawRecord(2, None, "Each record must be a JSON object."),
        RawRecord(3, {"first_name": "Grace", "city": "Arlington"}),
    ]
    assert read_headers(path) == [
        "first_name",
        "emails",
        "phones",
        "custom_fields.salary",
        "custom_fields.notice",
        "city",
    ]
    assert count_records(path) == 3


def test_jsonl_streams_lines_and_reports_bad_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.jsonl",
        '{"first_name": "Ada"}\n'
        "\n"
        '{"first_name": "Grace", \n'
        "[1, 2]\n"
        '{"basics": {"name": "Linus Torvalds"}}\n',
    )

    assert detect_format(path) == "jsonl"
    assert records(path) == [
        RawRecord(1, {"first_name": "Ada"}),
        RawRecord(
            3,
            None,
            "This line is not valid JSON: Expecting property name enclosed in double quotes.",
        ),
        RawRecord(4, None, "Each record must be a JSON object."),
        RawRecord(5, {"name": "Linus Torvalds"}),
    ]
    assert count_records(path) == 4
    assert [record.row for record in records(path, after_row=3)] == [4, 5]
    assert read_headers(path) == ["first_name", "name"]


def test_jsonl_line_that_is_not_utf8_is_an_error_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.jsonl",
        codecs.BOM_UTF8 + b'{"first_name": "Ada"}\n{"first_name": "Ren\xe9e"}\n',
    )

    assert records(path) == [
        RawRecord(1, {"first_name": "Ada"}),
        RawRecord(2, None, "This line is not UTF-8 text: save the file as UTF-8."),
    ]


def test_json_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.json", b'[\n{"first_name": "Ada"},\n{"first_name": "Ren\xe9e"}\n]'
    )

    with pytest.raises(ImportFileError, match=r"people.json is not UTF-8 text \(line 3\)"):
        list(iter_records(path))


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "people.json", '[\n{"first_name": "Ada"},\n{"first_name"}\n]')

    with pytest.raises(ImportFileError, match=r"people.json is not valid JSON \(line 3\)"):
        count_records(path)


def test_json_that_is_neither_list_nor_object_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "number.json", '["a"]')
    assert records(path) == [RawRecord(1, None, "Each record must be a JSON object.")]

    path = write(tmp_path / "string.json", "[1")
    with pytest.raises(ImportFileError, match="not valid JSON"):
        list(iter_records(path))


# --- folders ----------------------------------------------------------------------------------


def test_folder_lists_supported_files_sorted(tmp_path: Path) -> None:
    for name in ["b.csv", "a.XLSX", "c.jsonl", "notes.txt", "~$a.xlsx", ".DS_Store", ".x.csv"]:
        write(tmp_path / name, "x")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "d.json", "[]")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git" / "e.csv", "x")

    assert import_files(tmp_path) == [
        tmp_path / "a.XLSX",
        tmp_path / "b.csv",
        tmp_path / "c.jsonl",
        tmp_path / "sub" / "d.json",
    ]


def test_a_file_is_its_own_list(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.txt", "name\nAda\n")

    assert import_files(path) == [path]


def test_folder_without_supported_files_or_missing_path_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "x")

    with pytest.raises(ImportFileError, match="holds no CSV, XLSX, JSON or JSON Lines files"):
        import_files(tmp_path)
    with pytest.raises(ImportFileError, match="No such file or folder"):
        import_files(tmp_path / "missing")


def test_json_nested_too_deep_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    deep = '{"a":' * 900 + "1" + "}" * 900  # flattening it once ran out of stack
    path = write(tmp_path / "people.json", f'[{{"first_name": "Ada"}}, {deep}]')
    assert records(path) == [
        RawRecord(1, {"first_name": "Ada"}),
        RawRecord(2, None, "This record nests deeper than 32 levels."),
    ]

    lines = write(tmp_path / "people.jsonl", '{"first_name": "Ada"}\n' + "[" * 100_000 + "\n")
    assert records(lines)[1] == RawRecord(2, None, "This record nests deeper than 32 levels.")

    first_line = write(tmp_path / "first.json", '{"a":' * 5_000 + "1" + "}" * 5_000 + "\n{}")
    assert detect_format(first_line) == "json"  # the sniffing of its first line ran out of stack

    whole = write(tmp_path / "deeper.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportFileError, match=r"deeper\.json nests deeper than 32 levels"):
        list(iter_records(whole))
