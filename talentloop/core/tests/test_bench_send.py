"""`talentloop bench send`: the crash test at a small size, and its bad input.

The full-size runs (20,000 recipients, 5,000 with 20 kills) are commands, not tests; this runs
the same code path with real processes, a real SMTP server and kill -9, on the database the
suite runs on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from talentloop.core.bench import send


def _talentloop(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "talentloop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TALENTLOOP_LOG_LEVEL": "WARNING"},
        check=False,
    )


def _server_url() -> str:
    """The PostgreSQL server the suite runs on, as bench's --postgres-url."""
    options = connection.settings_dict
    user = quote(options["USER"] or "")
    password = quote(options["PASSWORD"] or "")
    return f"postgresql://{user}:{password}@{options['HOST']}:{options['PORT']}/postgres"


@pytest.mark.django_db
def test_killed_workers_send_each_message_exactly_once(tmp_path: Path) -> None:
    args = ["bench", "send", "--chaos", "--recipients", "300", "--kills", "4"]
    # Four kills, each 1.5-3 s after a worker starts, plus the pause half-way, take up to
    # about 16 s: sending takes 20, so a slow machine still fits every kill in.
    args += ["--chaos-seconds", "20", "--data-dir", str(tmp_path), "--json"]
    if connection.vendor == "postgresql":
        args += ["--database", "postgresql", "--postgres-url", _server_url()]

    result = _talentloop(*args)

    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["kills"] == 4
    assert (report["received"], report["duplicates"], report["missing"]) == (300, 0, 0)
    assert report["ledger_sent"] == 300
    # Every key the issue names, with --chaos too.
    for key in ("messages_per_s", "raw_messages_per_s", "ratio", "events_per_s"):
        assert report[key] > 0, key
    assert "0 duplicates, 0 missing" in result.stdout


def test_bad_numbers_are_refused_plainly(tmp_path: Path) -> None:
    result = _talentloop("bench", "send", "--recipients", "3", "--data-dir", str(tmp_path))

    assert result.returncode != 0
    assert "--recipients must be at least 10." in result.stderr
    assert "Traceback" not in result.stderr


def test_report_lines_show_each_figure_beside_its_target() -> None:
    report = {
        "database": "sqlite",
        "recipients": 20_000,
        "messages_per_s": 740.0,
        "raw_messages_per_s": 1_350.0,
        "raw_plain_messages_per_s": 1_195.0,
        "ratio": 0.548,
        "throttle_per_minute": 6_000,
        "throttle_achieved_per_minute": 6_082.0,
        "throttle_error": 0.0137,
        "events_per_s": 2_395.0,
        "events_processed_per_s": 1_567.0,
        "received": 20_000,
        "duplicates": 0,
        "missing": 0,
        "ledger_sent": 20_000,
    }

    text = "\n".join(send.lines(report))

    assert "740 messages/s" in text and "ratio 0.55" in text
    assert "+1.4%" in text
    assert "2,395 open/click events/s" in text
    assert "0 duplicates, 0 missing" in text
