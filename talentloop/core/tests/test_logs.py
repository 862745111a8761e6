"""Log lines: each once, a refused request without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import logging, django
django.setup()
logging.getLogger("django.tasks").info("Task id=7 path=x state=RUNNING")
"""


def test_under_debug_a_django_line_is_printed_once(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "talentloop.settings",
        "TALENTLOOP_DATA_DIR": str(tmp_path),
        "TALENTLOOP_DEBUG": "true",
        "TALENTLOOP_LOG_LEVEL": "INFO",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    # Django's own console handler printed it a second time.
    assert result.stderr.count("Task id=7 path=x state=RUNNING") == 1
