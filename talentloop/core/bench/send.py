"""`talentloop bench send`: personalized, tracked campaign messages per second into a local SMTP
server, beside the raw rate of the same messages pre-rendered over the same server in the same
run; the throttle's accuracy; tracking events per second; and, with --chaos, the crash test.

Everything runs as separate processes, as in production: the SMTP server (aiosmtpd, which
shares the 2 cores), the sending workers (`bench_send_probe work`, the real engine) and the
database (a fresh SQLite file or PostgreSQL database per run). The SMTP server logs every
message it accepts; "received", "duplicates" and "missing" are counted from that log.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from talentloop.core.bench.api import Target
from talentloop.core.smtp_sink import free_port

TEMPLATE_SUBJECT = (
    "{{ candidate.first_name|default:'Hi' }}, new engineering roles at {{ workspace.name }}"
)
TEMPLATE_BODY = """\
<h1>Hello {{ candidate.first_name|default:"there" }},</h1>
<p>You told us you would like to hear about engineering roles at {{ workspace.name }}.
As a {{ candidate.current_title|default:"engineer" }} at
{{ candidate.current_company|default:"your company" }}, these three might interest you:</p>
<ul>
<li><a href="https://careers.acme.test/jobs/backend-engineer">Backend Engineer (Python, Django)</a>
 &mdash; Berlin or remote in Europe</li>
<li><a href="https://careers.acme.test/jobs/platform-engineer">Platform Engineer (Kubernetes)</a>
 &mdash; Lisbon</li>
<li><a href="https://careers.acme.test/jobs/data-engineer">Data Engineer (SQL, Spark)</a>
 &mdash; remote</li>
</ul>
<p>Our engineering blog has a post on how the team works:
<a href="https://blog.acme.test/engineering/how-we-work">how we work</a>. If one of these
roles fits, just reply to this e-mail and I will set up a call.</p>
<p>Best regards,<br>{{ sender.full_name|default:"The recruiting team" }}</p>
<p style="font-size:12px;color:#666">You receive this because you joined the {{ workspace.name }}
talent community. <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
"""


# --- helpers ------------------------------------------------------------------------------------


def _env(target: Target, smtp_port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **target.env,
        "TALENTLOOP_DEBUG": "false",
        "TALENTLOOP_SECRET_KEY": "bench-secret-key-not-for-production",
        "TALENTLOOP_LOG_LEVEL": "WARNING",
        "TALENTLOOP_SMTP_HOST": "127.0.0.1",
        "TALENTLOOP_SMTP_PORT": str(smtp_port),
        "TALENTLOOP_SMTP_TLS": "false",
        "TALENTLOOP_SITE_URL": "https://talent.acme.test",
        **extra,
    }


def _probe(env: dict[str, str], *args: str) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "talentloop", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def _worker(env: dict[str, str], campaign: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
        [
            sys.executable,
            "-m",
            "talentloop",
            "bench_send_probe",
            "work",
            "--campaign",
            str(campaign),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _start_sink(port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "talentloop.core.smtp_sink", "--port", str(port), "--log", str(log)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the SMTP server did not start within 30 s")


def _received(log: Path, drop: int) -> Counter[str]:
    """Messages the SMTP server accepted for the drop, per recipient."""
    prefix = f"d{drop}."
    counts: Counter[str] = Counter()
    with log.open(encoding="utf-8") as lines:
        for line in lines:
            rcpt, _, key = line.rstrip("\n").split("\t")
            if key.startswith(prefix):
                counts[rcpt] += 1
    return counts


# --- the raw baseline: the same messages, pre-rendered, over the same server --------------------


def prerendered(count: int) -> list[tuple[str, str, bytes]]:
    """`count` messages from the bench template, rendered and built before any timing."""
    from talentloop.accounts.models import User, Workspace
    from talentloop.candidates.models import Candidate
    from talentloop.outreach import rendering, tracking
    from talentloop.outreach.channels.base import Outgoing
    from talentloop.outreach.channels.email import build_mime

    compiled = rendering.compile_message(
        subject=TEMPLATE_SUBJECT, html=rendering.sanitize_html(TEMPLATE_BODY)
    )
    workspace = Workspace(name="Acme")
    sender = User(email="bob@acme.test", full_name="Bob Recruiter")
    messages = []
    for n in range(count):
        person = Candidate(first_name="Ada", last_name="Lovelace", current_title="Engineer")
        unsubscribe = tracking.unsubscribe_url(n + 1)
        rendered = compiled.render(
            rendering.message_context(
                candidate=person,
                sender=sender,
                job=None,
                workspace=workspace,
                unsubscribe_url=unsubscribe,
            )
        )
        to = f"raw{n}@people.test"
        raw = build_mime(
            Outgoing(
                key=f"raw.{n}",
                message_id=f"raw.{n}@talent.acme.test",
                to=to,
                to_name=person.full_name,
                from_address=sender.email,
                from_name=sender.full_name,
                subject=rendered.subject,
                html=tracking.track_html(rendered.html, message_id=n + 1, opens=True, clicks=True),
                text=rendered.text,
                unsubscribe_url=unsubscribe,
            )
        )
        messages.append((sender.email, to, raw))
    return messages


def _send_raw(port: int, messages: list[tuple[str, str, bytes]], start: Any) -> None:
    """Plain smtplib, one message after the other on one connection."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        start.wait()
        for sender, to, raw in messages:
            smtp.sendmail(sender, [to], raw)


def _send_pipelined(port: int, messages: list[tuple[str, str, bytes]], start: Any) -> None:
    """The engine's own transport (its pool of connections, steps interleaved), no database."""
    from django.conf import settings

    from talentloop.outreach.channels.email import EmailChannel, Envelope

    settings.MAILERS = {
        "bench": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 20},
        }
    }
    channel = EmailChannel("bench")
    size = channel.parallelism
    channel._connections(size)
    start.wait()
    for first in range(0, len(messages), size):
        group = [
            Envelope(sender, to, f"raw.{first + n}", raw)
            for n, (sender, to, raw) in enumerate(messages[first : first + size])
        ]
        channel.transmit(group, lambda ready: set(ready))
    channel.close()


def raw_rate(
    port: int, messages: list[tuple[str, str, bytes]], workers: int, *, pipelined: bool
) -> float:
    """Messages/s of `workers` processes sending pre-built bytes: plain smtplib on one
    connection each, or (`pipelined`) the engine's transport without rendering or database."""
    context = multiprocessing.get_context("fork")
    start = context.Event()
    shares = [messages[n::workers] for n in range(workers)]
    target = _send_pipelined if pipelined else _send_raw
    processes = [context.Process(target=target, args=(port, share, start)) for share in shares]
    for process in processes:
        process.start()
    time.sleep(1.0)  # every process connected
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
    return len(messages) / (time.perf_counter() - began)


# --- the runs ------------------------------------------------------------------------------------


def _send_campaign(
    env: dict[str, str], campaign: int, workers: int
) -> tuple[float, dict[str, Any]]:
    _probe(env, "bench_send_probe", "start", "--campaign", str(campaign))
    began = time.perf_counter()
    processes = [_worker(env, campaign) for _ in range(workers)]
    for process in processes:
        process.wait()
    wall = time.perf_counter() - began
    return wall, _probe(env, "bench_send_probe", "report", "--campaign", str(campaign))


def _lines_in(log: Path) -> int:
    """Campaign messages the SMTP server accepted so far (the raw baseline's are not)."""
    with log.open(encoding="utf-8") as lines:
        return sum(1 for line in lines if line.rstrip("\n").split("\t")[-1].startswith("d"))


def _chaos(
    env: dict[str, str],
    campaign: int,
    workers: int,
    kills: int,
    sink_log: Path,
    recipients: int,
    log: Callable[[str], None],
    rng: random.Random,
) -> int:
    """Send with `workers` racing workers; kill -9 one at a random moment `kills` times (and
    pause and resume the campaign half-way), restarting it at once each time."""
    _probe(env, "bench_send_probe", "start", "--campaign", str(campaign))
    processes = [_worker(env, campaign) for _ in range(workers)]
    started = [time.monotonic()] * workers
    done = 0
    try:
        while done < kills:
            # A worker takes about 1.5 s to start; kill it at a random moment after that, while
            # it sends, rather than while it is still importing Django.
            victim = rng.randrange(len(processes))
            moment = started[victim] + 1.5 + rng.uniform(0.0, 1.5)
            time.sleep(max(0.0, moment - time.monotonic()))
            received = _lines_in(sink_log)
            if received >= recipients or all(p.poll() is not None for p in processes):
                log(f"  everything was sent after {done} kills")
                break
            processes[victim].send_signal(signal.SIGKILL)
            processes[victim].wait()
            done += 1
            log(f"  kill {done}/{kills}: {received:,} received so far")
            if done == kills // 2:
                _probe(
                    env, "bench_send_probe", "status", "--campaign", str(campaign), "--to", "paused"
                )
                log("  paused the campaign for a second, then resumed it")
                time.sleep(1.0)
                _probe(
                    env,
                    "bench_send_probe",
                    "status",
                    "--campaign",
                    str(campaign),
                    "--to",
                    "running",
                )
            processes[victim] = _worker(env, campaign)
            started[victim] = time.monotonic()
        for process in processes:
            process.wait()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    return done


def run(
    target: Target,
    data_dir: Path,
    *,
    recipients: int,
    workers: int,
    chaos: bool,
    kills: int,
    throttle: int,
    log: Callable[[str], None],
    chaos_seconds: int = 60,
) -> dict[str, Any]:
    data_dir.mkdir(parents=True, exist_ok=True)
    sink_log = data_dir / "send-sink.log"
    sink_log.unlink(missing_ok=True)
    port = free_port()
    # A killed worker's claims are taken over after this many seconds (2 minutes by default).
    env = _env(target, port, TALENTLOOP_OUTREACH_CLAIM_SECONDS="2" if chaos else "30")
    log(f"[{target.database}] migrating a fresh database …")
    subprocess.run([sys.executable, "-m", "talentloop", "migrate", "-v", "0"], env=env, check=True)
    sink = _start_sink(port, sink_log)
    try:
        throttle_recipients = 0 if chaos else max(200, throttle // 4)  # about 15 s of sending
        log(f"[{target.database}] seeding {recipients:,} consenting recipients …")
        setup = _probe(
            env,
            "bench_send_probe",
            "setup",
            "--recipients",
            str(recipients),
            "--throttle-recipients",
            str(throttle_recipients),
            "--throttle",
            str(throttle),
            # The crash test sends for about `chaos_seconds`, time enough for every kill.
            *(["--campaign-throttle", str(recipients * 60 // chaos_seconds)] if chaos else []),
        )
        campaign = setup["campaign"]
        report: dict[str, Any] = {"database": target.database, "recipients": recipients}
        # The raw rate of the same messages pre-rendered over the same transport: the ratio
        # measures only what the engine adds (rendering, tracking, ledger, timeline).
        log(f"[{target.database}] raw baseline: {recipients:,} pre-rendered messages …")
        messages = prerendered(recipients)
        report["raw_plain_messages_per_s"] = round(
            raw_rate(port, messages, workers, pipelined=False), 1
        )
        report["raw_messages_per_s"] = round(raw_rate(port, messages, workers, pipelined=True), 1)
        del messages
        if chaos:
            log(f"[{target.database}] crash test: {workers} workers, {kills} kills …")
            rng = random.Random(7)
            began = time.perf_counter()
            report["kills"] = _chaos(env, campaign, workers, kills, sink_log, recipients, log, rng)
            wall = time.perf_counter() - began
            ledger = _probe(env, "bench_send_probe", "report", "--campaign", str(campaign))
        else:
            log(f"[{target.database}] the campaign, {workers} workers …")
            wall, ledger = _send_campaign(env, campaign, workers)
        sent = ledger["sent"]
        rate = sent / ledger["span_s"] if ledger["span_s"] else 0.0
        # Under --chaos the campaign is throttled to last long enough for every kill, so its
        # rate (and ratio) says how the crash test ran, not how fast the engine is.
        report["messages_per_s"] = round(rate, 1)
        report["ratio"] = round(rate / report["raw_messages_per_s"], 3)
        report["wall_s"] = round(wall, 2)
        counts = _received(sink_log, ledger["drop"])
        report["received"] = len(counts)
        report["duplicates"] = sum(counts.values()) - len(counts)
        report["missing"] = recipients - len(counts)
        report["ledger_sent"] = sent
        if not chaos:
            throttled = setup["throttle_campaign"]
            log(f"[{target.database}] throttle: {throttle_recipients:,} at {throttle:,}/min …")
            _, held = _send_campaign(env, throttled, workers)
            achieved = (held["sent"] - 1) / held["span_s"] * 60 if held["span_s"] else 0.0
            report["throttle_per_minute"] = throttle
            report["throttle_achieved_per_minute"] = round(achieved, 1)
            report["throttle_error"] = round(achieved / throttle - 1, 4)
        log(f"[{target.database}] tracking events …")
        events = _probe(
            env, "bench_send_probe", "events", "--count", str(min(20_000, recipients * 4))
        )
        report["events_per_s"] = round(events["events_per_s"], 1)
        report["events_processed_per_s"] = round(events["processed_per_s"], 1)
        return report
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=10)


def lines(report: dict[str, Any]) -> list[str]:
    out = [f"  {report['database']}, {report['recipients']:,} recipients"]
    if "kills" in report:
        out.append(
            f"  crash test: {report['kills']} kills of a worker (kill -9), 2 racing workers, "
            f"throttled to {report['messages_per_s']:,.0f} messages/s; raw rate "
            f"{report['raw_messages_per_s']:,.0f}/s; tracking {report['events_per_s']:,.0f} "
            "events/s"
        )
    else:
        out.append(
            f"  campaign: {report['messages_per_s']:,.0f} messages/s (personalized, tracked); "
            f"raw pre-rendered over the same transport: {report['raw_messages_per_s']:,.0f}/s; "
            f"ratio {report['ratio']:.2f} (target >= 500/s and >= 0.50)"
        )
        out.append(
            f"  (plain smtplib, one connection per process: "
            f"{report['raw_plain_messages_per_s']:,.0f}/s)"
        )
        out.append(
            f"  throttle: {report['throttle_achieved_per_minute']:,.0f}/min for "
            f"{report['throttle_per_minute']:,}/min configured ({report['throttle_error']:+.1%}, "
            "target within 5%)"
        )
        out.append(
            f"  tracking: {report['events_per_s']:,.0f} open/click events/s ingested "
            f"(target >= 2,000); {report['events_processed_per_s']:,.0f}/s onto the timeline"
        )
    out.append(
        f"  at the SMTP server: {report['received']:,} recipients received, "
        f"{report['duplicates']} duplicates, {report['missing']} missing "
        f"(ledger: {report['ledger_sent']:,} sent)"
    )
    return out
