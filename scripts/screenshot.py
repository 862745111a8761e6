"""Take the README screenshot of a candidate profile, from fresh demo data, in real Chromium.

    .venv/bin/python scripts/screenshot.py              # writes docs/screenshots/candidate.png
    .venv/bin/python scripts/screenshot.py --phone /tmp/candidate-phone.png   # also a phone one

It migrates and seeds a throw-away data directory (300 demo candidates), serves it with
`talentloop serve` on a free local port, signs in as alice@acme.test through the sign-in page,
opens the Acme profile with the fullest timeline, and saves a 1280 px wide full-page PNG.
Needs Debian's Chromium (`apt-get install chromium`); never `playwright install`.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots" / "candidate.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EMAIL, PASSWORD = "alice@acme.test", "talentloop-demo"  # the demo cast (core/seeding.py)
DESKTOP: ViewportSize = {"width": 1280, "height": 800}

# The Acme profile that shows the most: the longest timeline, then notes, then contacts.
PICK_CANDIDATE = """
SELECT c.id FROM candidates_candidate c JOIN accounts_workspace w ON w.id = c.workspace_id
WHERE w.slug = 'acme' AND c.deleted_at IS NULL AND NOT c.is_archived AND NOT c.is_do_not_contact
ORDER BY
  (SELECT COUNT(*) FROM candidates_activity a WHERE a.candidate_id = c.id) DESC,
  (SELECT COUNT(*) FROM candidates_note n WHERE n.candidate_id = c.id) DESC,
  (SELECT COUNT(*) FROM candidates_candidatephone p WHERE p.candidate_id = c.id)
    + (SELECT COUNT(*) FROM candidates_candidatelink k WHERE k.candidate_id = c.id) DESC,
  c.id
LIMIT 1
"""


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url} within {seconds:.0f} s")


def shoot(base_url: str, candidate_id: int, out: Path, phone_out: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=DESKTOP, base_url=base_url)
            page = context.new_page()
            sign_in(page)
            page.goto(f"/candidates/{candidate_id}/")
            page.wait_for_load_state("networkidle")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
            print(f"Saved {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
            if phone_out is not None:
                device = dict(playwright.devices["iPhone 13"])
                device.pop("default_browser_type", None)
                phone = browser.new_context(**device, base_url=base_url)
                phone_page = phone.new_page()
                sign_in(phone_page)
                phone_page.goto(f"/candidates/{candidate_id}/")
                phone_page.wait_for_load_state("networkidle")
                phone_out.parent.mkdir(parents=True, exist_ok=True)
                phone_page.screenshot(path=str(phone_out), full_page=True)
                print(f"Saved {phone_out}")
        finally:
            browser.close()


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="desktop PNG to write")
    parser.add_argument("--phone", type=Path, help="also write an iPhone 13 PNG here")
    parser.add_argument("--candidates", type=int, default=300, help="demo candidates to seed")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"Needs Debian's Chromium at {CHROMIUM}: apt-get install chromium")

    with tempfile.TemporaryDirectory(prefix="talentloop-screenshot-") as data_dir:
        env = {
            **os.environ,
            "TALENTLOOP_DATA_DIR": data_dir,
            "DATABASE_URL": "",  # SQLite in the data directory, whatever a .env says
            "TALENTLOOP_DEBUG": "true",
            "TALENTLOOP_SMTP_HOST": "",
        }
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "seed", "--candidates", str(args.candidates))
        with sqlite3.connect(Path(data_dir) / "talentloop.sqlite3") as db:
            (candidate_id,) = db.execute(PICK_CANDIDATE).fetchone()

        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=env,
        )
        try:
            base_url = f"http://127.0.0.1:{port}/"
            wait_until_up(base_url, server)
            shoot(base_url, candidate_id, args.out.resolve(), args.phone)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
