"""The bench load generator against a real HTTP server on localhost."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from talentloop.core.bench import loadgen


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/chunked":
            # One write: a separate body write would wait for the delayed ACK (40 ms).
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n6;note=x\r\n world\r\n0\r\n\r\n"
            )
            return
        body = b"missing" if self.path == "/missing" else b"ok"
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def test_measures_requests_over_keep_alive_connections(server: int) -> None:
    request = loadgen.get_request(f"127.0.0.1:{server}", "/", {"X-Test": "1"})

    result = loadgen.run("127.0.0.1", server, lambda: request, concurrency=2, seconds=0.3, warmup=0)

    assert result.requests > 10
    assert result.errors == 0
    assert 0 < result.percentile(50) <= result.percentile(95)
    assert result.rps == pytest.approx(result.requests / result.seconds)


def test_reads_chunked_bodies_to_their_end(server: int) -> None:
    """A body left unread would be taken for the next answer's head."""
    request = loadgen.get_request(f"127.0.0.1:{server}", "/chunked", {})

    result = loadgen.run("127.0.0.1", server, lambda: request, concurrency=1, seconds=0.3, warmup=0)

    assert result.requests > 10
    assert result.errors == 0


def test_counts_non_2xx_answers_as_errors(server: int) -> None:
    request = loadgen.get_request(f"127.0.0.1:{server}", "/missing", {})

    result = loadgen.run("127.0.0.1", server, lambda: request, concurrency=1, seconds=0.2, warmup=0)

    assert result.errors == result.requests > 0


def test_bench_api_says_clearly_when_postgresql_is_unreachable() -> None:
    with pytest.raises(CommandError, match="Cannot reach PostgreSQL"):
        call_command(
            "bench",
            "api",
            "--database",
            "postgresql",
            "--postgres-url",
            "postgresql://nobody:x@127.0.0.1:1/none",
        )


def test_bench_api_rejects_bad_numbers() -> None:
    with pytest.raises(CommandError, match="at least 10"):
        call_command("bench", "api", "--candidates", "5")
