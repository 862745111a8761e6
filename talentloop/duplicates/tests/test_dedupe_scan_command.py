"""`talentloop dedupe-scan`: runs or resumes the workspace scan in the foreground."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from talentloop.__main__ import main
from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate
from talentloop.duplicates.models import DuplicateScan, DuplicateSuggestion


def test_scans_and_reports(robert: Candidate, bob_smith: Candidate) -> None:
    out = io.StringIO()

    call_command("dedupe_scan", "--workspace", "acme", stdout=out)

    assert out.getvalue().strip().splitlines()[-1] == (
        "Scanned 2 candidates: 1 pairs scored at least 0.75."
    )
    assert DuplicateSuggestion.objects.count() == 1


def test_resumes_an_unfinished_scan(
    acme: Workspace, robert: Candidate, bob_smith: Candidate
) -> None:
    scan = DuplicateScan.objects.create(workspace=acme, threshold=1.0, status="running")
    out = io.StringIO()

    call_command("dedupe_scan", stdout=out)

    scan.refresh_from_db()
    assert out.getvalue().startswith(f"Resuming scan {scan.pk} at 0%.")
    assert (scan.status, DuplicateScan.objects.count()) == ("done", 1)
    assert DuplicateSuggestion.objects.count() == 0  # stricter than this pair's score


def test_unknown_workspace_is_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match=r"No workspace 'nope'\."):
        call_command("dedupe_scan", "--workspace", "nope")


def test_the_cli_name_maps_to_the_command(
    robert: Candidate, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["dedupe-scan", "--workspace", "acme", "--threshold", "0.8"])

    assert "Scanned 1 candidates" in capsys.readouterr().out
