"""The WSGI module the web server loads: views imported up front, startup objects frozen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Loads the application as a server process would, then asks for the health check and for
# the collector's view of the objects loaded so far.
_SCRIPT = """
import gc, io, sys
from talentloop.wsgi import application
loaded = [name for name in sys.modules if name.endswith(("candidates.views", "candidates.api"))]
seen = []
body = application(
    {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "SERVER_NAME": "127.0.0.1",
     "SERVER_PORT": "8000", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"},
    lambda status, headers, exc_info=None: seen.append(status),
)
b"".join(body)
print(gc.get_freeze_count() > 50_000, sorted(loaded), seen[0])
"""


def test_loading_the_app_imports_the_views_and_freezes_what_it_loaded(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "talentloop.settings",
        "TALENTLOOP_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/app.sqlite3",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    assert result.stdout.split("\n")[-2] == (
        "True ['talentloop.candidates.api', 'talentloop.candidates.views'] 200 OK"
    )
