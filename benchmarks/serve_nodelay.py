"""Diagnostic only: ``eligibility serve`` with TCP_NODELAY on every accepted connection (``bench_api.py --nodelay``).

``api/server.py`` makes its listening socket as ``GuardedListener(family, SOCK_STREAM)``: protocol 0, so
the sockets it accepts have ``proto == 0`` too, and asyncio sets TCP_NODELAY only on sockets whose
``proto`` is ``IPPROTO_TCP`` (``asyncio.base_events._set_nodelay``, CPython 3.11). Without it, h11's
separate writes of a response's head and body meet Nagle's algorithm and the client's delayed ACK: about
40 ms added to every request on loopback, /healthz included. This wrapper sets the option on each
accepted socket and then runs the real CLI, to measure what the API does without that delay; it changes
nothing else. (The fix in the server would be ``GuardedListener(family, socket.SOCK_STREAM,
socket.IPPROTO_TCP)``; not made here: benchmarks only.)

    python benchmarks/serve_nodelay.py --port 8000     # = eligibility serve --port 8000, with TCP_NODELAY
"""

from __future__ import annotations

import socket
import sys
from typing import Any

import api.server as server

_accept = server.GuardedListener.accept


def _accept_nodelay(self: server.GuardedListener) -> tuple[socket.socket, Any]:
    conn, address = _accept(self)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn, address


server.GuardedListener.accept = _accept_nodelay  # type: ignore[method-assign]

if __name__ == "__main__":
    from eligibility.cli import app

    sys.argv = ["eligibility", "serve", *sys.argv[1:]]
    app()
