"""The HTTP server's connection guard (api/server.py) and log rate limit (api/log_filter.py), on real sockets.

Issue 14: 1 100 idle sockets from one client used up the server's file
descriptors, ``/healthz`` timed out and asyncio wrote 240 MB of "Too many open
files". Servers here run on 127.0.0.1 on a free port, in a thread (short
configured timeouts) or, for the descriptor limit, as an ``eligibility serve``
subprocess; every wait is bounded and everything is torn down.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api import create_app, metrics
from api.audit import AuditLog
from api.log_filter import RepeatFilter, logging_config
from api.server import FD_RESERVE, GuardedH11Protocol, uvicorn_server
from api.settings import Settings, SettingsError

BIN = Path(sys.executable).parent / "eligibility"
IDLE_SOCKETS = 1_100
CHILD_NOFILE = 1_024  # the usual default soft limit, under which the run failed


def _sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def _closed(reason: str) -> float:
    return _sample("eligibility_http_connections_closed_total", reason=reason)


def _wait_until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


@dataclass
class _Running:
    address: tuple[str, int]
    protocol: type[GuardedH11Protocol]   # to wait on the server's own counts instead of sleeping
    listener: socket.socket


@contextmanager
def _thread_server(shared_store, **limits: float) -> Iterator[_Running]:
    """A real uvicorn server with the guard, in a thread of this process."""
    app = create_app(Settings(), shared_store, AuditLog(io.StringIO()))
    server, sock = uvicorn_server(app, "127.0.0.1", 0, Settings(**limits), log_level="warning",
                                  configure_logging=False)
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_until(lambda: server.started, timeout=10)
        yield _Running(("127.0.0.1", port), server.config.http, sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive()


def _connect(address: tuple[str, int], data: bytes) -> socket.socket:
    sock = socket.create_connection(address, timeout=5)
    sock.sendall(data)
    return sock


def _read_until_closed(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """Everything the server sends until it closes the connection (bounded by ``timeout``)."""
    sock.settimeout(timeout)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _read_response(sock: socket.socket) -> bytes:
    """One response (head and a Content-Length body) from a keep-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536) or pytest.fail("closed before a response")
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536) or pytest.fail("closed inside a response")
    return head


def test_connection_without_a_complete_head_is_closed_after_the_header_timeout(shared_store):
    with _thread_server(shared_store, header_timeout=0.3, body_timeout=5) as running:
        address = running.address
        before = _closed("header_timeout")
        with _connect(address, b"GET /healthz HTTP/1.1\r\nHost: x\r\n") as sock:   # no blank line: head incomplete
            start = time.monotonic()
            assert _read_until_closed(sock) == b""
            elapsed = time.monotonic() - start
        assert 0.2 <= elapsed < 3, elapsed
        assert _closed("header_timeout") == before + 1
        # A connection that sends nothing at all is closed the same way.
        with _connect(address, b"") as sock:
            assert _read_until_closed(sock) == b""


def test_keep_alive_connection_gets_a_new_header_timeout_for_each_request(shared_store):
    # Margins of about a second each way, so a loaded host cannot turn a gap into a timeout.
    with _thread_server(shared_store, header_timeout=1.5, body_timeout=5) as running:
        with _connect(running.address, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") as sock:
            for _ in range(3):   # 3 x 0.6 s > one header timeout: each response restarts it
                assert _read_response(sock).startswith(b"HTTP/1.1 200")
                time.sleep(0.6)
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _read_response(sock).startswith(b"HTTP/1.1 200")


def test_stalled_body_is_closed_after_the_body_timeout_and_counted_as_a_client_disconnect(shared_store):
    requests_499 = {"route": "/v1/decisions", "method": "POST", "status": "499"}
    requests_500 = {**requests_499, "status": "500"}
    with _thread_server(shared_store, header_timeout=5, body_timeout=0.3) as running:
        address = running.address
        before, before_499 = _closed("body_timeout"), _sample("eligibility_http_requests_total", **requests_499)
        before_500 = _sample("eligibility_http_requests_total", **requests_500)
        head = (b"POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 200\r\n\r\n")
        with _connect(address, head + b'{"as_of": ') as sock:
            start = time.monotonic()
            assert _read_until_closed(sock) == b""
            elapsed = time.monotonic() - start
        assert 0.2 <= elapsed < 3, elapsed
        assert _closed("body_timeout") == before + 1
        _wait_until(lambda: _sample("eligibility_http_requests_total", **requests_499) == before_499 + 1)
        assert _sample("eligibility_http_requests_total", **requests_500) == before_500


def test_slow_body_that_keeps_arriving_is_not_cut_by_the_body_timeout(shared_store):
    body = (b'{"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"}, '
            b'"benefit": {"type": "sjukpenning"}}')
    head = (b"POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n")
    with _thread_server(shared_store, header_timeout=5, body_timeout=1.5) as running:
        with _connect(running.address, head) as sock:
            step = len(body) // 4 + 1
            for start in range(0, len(body), step):   # 4 pieces 0.5 s apart: 2 s in all, > the timeout
                time.sleep(0.5)
                sock.sendall(body[start:start + step])
            assert _read_until_closed(sock).startswith(b"HTTP/1.1 200")


def test_connection_over_the_limit_closes_the_longest_waiting_one_or_gets_503(shared_store):
    with _thread_server(shared_store, header_timeout=30, body_timeout=30, max_connections=3) as running:
        protocol, address = running.protocol, running.address
        with ExitStack() as stack:
            idle = [stack.enter_context(_connect(address, b"GET / HTTP/1.1\r\n")) for _ in range(3)]
            _wait_until(lambda: len(protocol.waiting) == 3)
            before = _closed("limit")
            answer = httpx.get(f"http://{address[0]}:{address[1]}/healthz", timeout=2)
            assert answer.status_code == 200
            assert _read_until_closed(idle[0], timeout=2) == b""          # the oldest idle one made room
            assert _closed("limit") == before + 1
        _wait_until(lambda: not protocol.live)
        with ExitStack() as stack:   # every connection inside a request (body pending): no one to close
            head = (b"POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 9\r\n\r\n{")
            for _ in range(3):
                stack.enter_context(_connect(address, head))
            _wait_until(lambda: len(protocol.live) == 3 and not protocol.waiting)
            refused = _read_until_closed(stack.enter_context(_connect(address, b"")), timeout=3)
            assert refused.startswith(b"HTTP/1.1 503") and b"retry-after: 1" in refused
            assert len(protocol.live) == 3   # the three requests were left alone


def test_accept_out_of_file_descriptors_logs_once_and_the_server_keeps_answering(shared_store, caplog):
    """Descriptors used up by something else: asyncio 3.11 logged each of up to `backlog` retries per tick."""
    with _thread_server(shared_store) as running, caplog.at_level(logging.ERROR, logger="asyncio"):
        real_accept, failing_until = running.listener._accept, time.monotonic() + 0.3

        def accept():
            if time.monotonic() < failing_until:
                raise OSError(errno.EMFILE, "Too many open files")
            return real_accept()

        running.listener._accept = accept
        with _connect(running.address, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") as sock:
            assert _read_until_closed(sock, timeout=5).startswith(b"HTTP/1.1 200")   # after asyncio's 1 s pause
    flood = [r for r in caplog.records if "out of system resource" in r.getMessage()]
    assert len(flood) == 1, len(flood)


def _raise_own_nofile(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {needed}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _child_limit() -> None:   # runs in the server child before exec
    resource.setrlimit(resource.RLIMIT_NOFILE, (CHILD_NOFILE, CHILD_NOFILE))


def test_healthz_answers_while_1100_idle_sockets_are_open(tmp_path):
    _raise_own_nofile(IDLE_SOCKETS + 256)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELIGIBILITY_")}
    env["ELIGIBILITY_HEADER_TIMEOUT"] = "60"   # the idle sockets outlive the test: only the limit can help
    log_path = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log, ExitStack() as stack:
        process = subprocess.Popen([str(BIN), "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                   env=env, preexec_fn=_child_limit)
        stack.callback(process.wait, 10)
        stack.callback(process.terminate)
        _wait_until(lambda: process.poll() is None and _healthy(base), timeout=30)
        idle = [stack.enter_context(_connect(("127.0.0.1", port), b"GET /healthz HTTP/1.1\r\nHost: x\r\n"))
                for _ in range(IDLE_SOCKETS)]
        for _ in range(3):
            start = time.monotonic()
            assert httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            assert time.monotonic() - start < 1
        closed = [line for line in httpx.get(f"{base}/metrics", timeout=1).text.splitlines()
                  if line.startswith('eligibility_http_connections_closed_total{reason="limit"}')]
        most = (CHILD_NOFILE - FD_RESERVE) * 3 // 4
        assert closed and float(closed[0].split()[-1]) >= IDLE_SOCKETS - most, closed
        assert len(idle) == IDLE_SOCKETS
    text = log_path.read_text()
    assert len(text) < 20_000, len(text)
    assert "Too many open files" not in text and "Traceback" not in text


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(text: str, name: str = "asyncio", level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "%s", (text,), None)


def test_repeat_filter_lets_the_first_n_identical_lines_through_then_reports_how_many_it_suppressed():
    clock = _Clock()
    repeat = RepeatFilter(burst=3, interval=10, clock=clock)
    flood = [_record("socket.accept() out of system resource") for _ in range(1_000)]
    passed = [record for record in flood if repeat.filter(record)]
    assert len(passed) == 3
    assert "further identical messages suppressed for 10 s" in passed[-1].getMessage()
    assert repeat.filter(_record("another message"))          # other texts are counted on their own
    clock.now = 10.5
    after = _record("socket.accept() out of system resource")
    assert repeat.filter(after)
    assert "997 identical messages suppressed in the previous 10 s" in after.getMessage()
    clock.now = 30
    quiet = _record("socket.accept() out of system resource")
    assert repeat.filter(quiet) and "suppressed" not in quiet.getMessage()


def test_repeat_filter_tracks_a_bounded_number_of_texts():
    repeat = RepeatFilter(burst=1, interval=10, max_keys=8, clock=_Clock())
    for number in range(10_000):
        assert repeat.filter(_record(f"distinct {number}"))
    assert len(repeat._windows) <= 8


def test_server_logging_config_rate_limits_every_handler_and_asyncio():
    config = logging_config()
    assert config["filters"]["repeat"]["()"] is RepeatFilter
    assert all("repeat" in handler["filters"] for handler in config["handlers"].values())
    assert config["loggers"]["asyncio"]["handlers"] == ["default"]


def test_connection_guard_settings_come_from_the_environment():
    settings = Settings.from_env({"ELIGIBILITY_HEADER_TIMEOUT": "2.5", "ELIGIBILITY_BODY_TIMEOUT": "3",
                                  "ELIGIBILITY_MAX_CONNECTIONS": "50"})
    assert (settings.header_timeout, settings.body_timeout, settings.max_connections) == (2.5, 3.0, 50)
    assert (Settings().header_timeout, Settings().body_timeout) == (10.0, 10.0)
    for name, value in (("ELIGIBILITY_HEADER_TIMEOUT", "0"), ("ELIGIBILITY_BODY_TIMEOUT", "soon"),
                        ("ELIGIBILITY_MAX_CONNECTIONS", "1.5")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})
