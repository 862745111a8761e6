"""The report of `talentloop bench import`."""

from talentloop.core.bench import imports


def test_report_has_the_keys_the_issue_names() -> None:
    job = {
        "processed_rows": 1_000,
        "seconds": 2.0,
        "created": 900,
        "updated": 0,
        "merged": 100,
        "rejected": 0,
    }

    report = imports.summarize(
        "sqlite", job, {"rows_per_second": 2_000.0}, peak_kb=204_800, wall=3.0
    )

    assert {
        key: report[key]
        for key in ("database", "rows", "rows_per_s", "baseline_rows_per_s", "peak_rss_mb")
    } == {
        "database": "sqlite",
        "rows": 1_000,
        "rows_per_s": 500.0,
        "baseline_rows_per_s": 2_000.0,
        "peak_rss_mb": 200.0,
    }
    assert report["ratio_to_baseline"] == 0.25
    assert report["rows_per_second"] == 500.0  # the earlier names stay
    assert report["peak_memory_mb"] == 200.0
