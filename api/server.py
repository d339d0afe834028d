"""Uvicorn's HTTP/1.1 protocol with the timeouts and the connection limit uvicorn lacks.

Uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` but
waits forever for a request head that never completes and for a body that
stalls, and ``limit_concurrency`` counts idle connections (it answers 503 to
real requests while idle sockets hold the slots). In issue 14, 1 100 idle
sockets from one client used up the file descriptors and ``/healthz`` timed
out. ``GuardedH11Protocol`` therefore

* closes a connection that has not sent a complete request head within
  ``header_timeout`` seconds of being opened (or of its last response),
* closes a connection whose request body sends nothing for ``body_timeout``
  seconds (time the app itself is not reading does not count; the app then
  sees ``http.disconnect``, which the request guard counts as 499),
* keeps at most ``max_connections`` open (never more than the file-descriptor
  limit allows): a new connection over the limit closes the connection that
  has waited longest for a request head; when every connection is in a
  request, the new one gets 503 and is closed.
"""

from __future__ import annotations

import asyncio
import errno
import resource
import socket
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import metrics
from .log_filter import logging_config
from .settings import Settings

# File descriptors kept free for what is not a client connection: the listening socket, rule files
# read on reload, static files, logs, the event loop's own.
FD_RESERVE = 64
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
_SAME_ACCEPT_BURST = 0.5  # seconds; asyncio waits 1 s (ACCEPT_RETRY_DELAY) before it accepts again
_REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: 19\r\nretry-after: 1\r\nconnection: close\r\n\r\nService Unavailable")


@dataclass(frozen=True)
class ConnectionLimits:
    """Seconds to send a complete request head, seconds a body may stall, connections open at most.

    ``fd_room`` is how many client sockets the file-descriptor limit leaves room for: connections
    over ``max_connections`` are still accepted up to it, only to be answered 503 and closed.
    """

    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_connections: int = 1000
    fd_room: int = 1_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        """The settings' limits, with ``max_connections`` at most 3/4 of what RLIMIT_NOFILE leaves room for."""
        room = fd_room()
        return cls(settings.header_timeout, settings.body_timeout,
                   max(1, min(settings.max_connections, room * 3 // 4)), room)


def fd_room() -> int:
    """Client sockets the soft RLIMIT_NOFILE leaves room for (at least 2)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1_000_000 if soft == resource.RLIM_INFINITY else max(2, soft - FD_RESERVE)


def raise_fd_limit(target: int = 65_536) -> None:
    """Raise the soft RLIMIT_NOFILE towards the hard one (an unprivileged process may), for more room."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = target if hard == resource.RLIM_INFINITY else min(target, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class GuardedListener(socket.socket):
    """The listening socket: asks its protocol class before each ``accept``, so the server never takes a
    file descriptor it has no room for.

    asyncio accepts up to ``backlog`` connections per loop tick before any protocol runs; one ``EMFILE``
    there pauses accepting for a second and logs a traceback per remaining attempt (CPython 3.11). A
    refusal here (``BlockingIOError``) leaves the connection in the kernel's queue for the next tick.
    """

    guard: type[GuardedH11Protocol]
    _out_of_fds_at = -1.0

    def accept(self) -> tuple[socket.socket, Any]:  # noqa: D102 - see the class docstring
        if not self.guard.fd_free():
            raise BlockingIOError(errno.EAGAIN, "no file descriptor to spare until closed connections are gone")
        try:
            accepted = super().accept()
        except OSError as exc:
            # Out of descriptors anyway (something else holds them): the first failure goes to asyncio,
            # which logs it and pauses accepting for a second; asyncio 3.11 then keeps calling accept up to
            # `backlog` times in the same tick, logging each. Those repeats end the tick quietly here.
            if exc.errno in _OUT_OF_RESOURCES:
                now = time.monotonic()
                if now - self._out_of_fds_at < _SAME_ACCEPT_BURST:
                    raise BlockingIOError(errno.EAGAIN, "accepting is paused") from None
                self._out_of_fds_at = now
            raise
        self.guard.accepted()
        return accepted


class GuardedH11Protocol(H11Protocol):
    """See the module docstring. One subclass per server (``protocol_class``) holds its limits and counts."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()
    # Connections waiting for a request head, oldest first (a dict is an ordered set).
    waiting: ClassVar[dict[GuardedH11Protocol, None]] = {}
    live: ClassVar[set[GuardedH11Protocol]] = set()      # open connections, counted against max_connections
    closing: ClassVar[set[GuardedH11Protocol]] = set()   # closed by us, socket not released yet
    pending: ClassVar[int] = 0                           # accepted by the listener, protocol not made yet

    @classmethod
    def fd_free(cls) -> bool:
        """True while accepting one more socket stays within ``fd_room`` (closing ones still hold theirs)."""
        return len(cls.live) + len(cls.closing) + cls.pending < cls.limits.fd_room

    @classmethod
    def accepted(cls) -> None:
        """Count an accepted socket; over ``max_connections``, close the connection that has waited longest
        for a request head. With none waiting, ``connection_made`` answers the new one 503."""
        cls.pending += 1
        if len(cls.live) + cls.pending > cls.limits.max_connections:
            victim = next(iter(cls.waiting), None)
            if victim is not None:
                victim._close("limit")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    # --- connection life -----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header timer; a connection over the limit (all others busy) gets 503 and is closed."""
        super().connection_made(transport)
        cls = type(self)
        cls.pending = max(0, cls.pending - 1)
        cls.live.add(self)
        if len(cls.live) > cls.limits.max_connections:
            # Connections accepted in the same burst may have started waiting since `accepted` ran.
            victim = next(iter(cls.waiting), None)
            if victim is None:
                self.transport.write(_REFUSED)
                self._close("limit")
                return
            victim._close("limit")
        self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection's timers and its place in the counts."""
        self._stop_timers()
        self.waiting.pop(self, None)
        self.live.discard(self)
        self.closing.discard(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Body bytes arriving restart the body timer."""
        super().data_received(data)
        if self._body_timer is not None:
            self._arm_body_timer()

    def handle_events(self) -> None:
        """A new cycle means a complete request head: stop the header timer, time the body if one follows."""
        before = self.cycle
        super().handle_events()
        if self.cycle is not before and self.cycle is not None and not self.transport.is_closing():
            self.waiting.pop(self, None)
            self._cancel("_head_timer")
            if self.cycle.more_body:
                self._arm_body_timer()
        if self._body_timer is not None and not self._body_pending():
            self._cancel("_body_timer")

    def on_response_complete(self) -> None:
        """After a response the connection waits for the next head (pipelined ones are handled in super)."""
        if not self.transport.is_closing():
            self._wait_for_head()
        super().on_response_complete()

    # --- timers -------------------------------------------------------------------------------
    def _wait_for_head(self) -> None:
        self._cancel("_body_timer")
        self.waiting.pop(self, None)
        self.waiting[self] = None
        self._cancel("_head_timer")
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._close, "header_timeout")

    def _arm_body_timer(self) -> None:
        self._cancel("_body_timer")
        self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timed_out)

    def _body_pending(self) -> bool:
        cycle = self.cycle
        return cycle is not None and cycle.more_body and not cycle.response_complete and not cycle.disconnected

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if not self._body_pending():
            return
        if self.flow.read_paused:  # the app is not reading: the client is not the one stalling
            self._arm_body_timer()
            return
        self._close("body_timeout")

    def _cancel(self, name: str) -> None:
        timer = getattr(self, name)
        if timer is not None:
            timer.cancel()
            setattr(self, name, None)

    def _stop_timers(self) -> None:
        self._cancel("_head_timer")
        self._cancel("_body_timer")

    def _close(self, reason: str) -> None:
        self._stop_timers()
        self.waiting.pop(self, None)
        if self in self.live:
            self.live.discard(self)
            self.closing.add(self)
        if not self.transport.is_closing():
            metrics.CONNECTIONS_CLOSED.labels(reason).inc()
            self.transport.close()


def protocol_class(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """A ``GuardedH11Protocol`` subclass with its own ``limits`` and counts, for one server."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,),
                {"limits": limits, "waiting": {}, "live": set(), "closing": set(), "pending": 0})


def listening_socket(host: str, port: int, protocol: type[GuardedH11Protocol]) -> GuardedListener:
    """A bound TCP socket for ``host``:``port`` whose accepts ``protocol`` admits (uvicorn listens on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then (else ~40 ms delayed ACKs).
    sock = GuardedListener(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.guard = protocol
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_server(app: Any, host: str, port: int, settings: Settings, log_level: str = "info",
                   configure_logging: bool = True) -> tuple[uvicorn.Server, GuardedListener]:
    """The uvicorn server ``eligibility serve`` runs and its bound listening socket: ``server.run([sock])``.

    Tests start it in a thread with ``configure_logging=False`` (the logging setup would reconfigure the
    test process's loggers).
    """
    protocol = protocol_class(ConnectionLimits.from_settings(settings))
    config = uvicorn.Config(app, host=host, port=port, http=protocol, access_log=False, log_level=log_level,
                            server_header=False, log_config=logging_config() if configure_logging else None)
    return uvicorn.Server(config), listening_socket(host, port, protocol)


def run(app: Any, host: str, port: int, settings: Settings) -> None:
    """Serve ``app`` until SIGINT/SIGTERM, with as many file descriptors as the hard limit allows.

    Raises:
        OSError: when ``host``:``port`` cannot be bound.
    """
    raise_fd_limit()
    server, sock = uvicorn_server(app, host, port, settings)
    with sock:
        server.run(sockets=[sock])
