"""Turn Nagle's algorithm off on the portal server's connections (``TCP_NODELAY``).

Streamlit binds its listening socket itself, as ``socket.socket(family)``: protocol number 0.
asyncio turns ``TCP_NODELAY`` on for a new connection only when its socket's protocol is
``IPPROTO_TCP`` (``asyncio.base_events._set_nodelay``), so on Streamlit's server it stays off.
uvicorn writes a response as two small writes (status and headers, then the body); Nagle's
algorithm holds the second until the client acknowledges the first, and the client delays that
acknowledgement (40 ms on Linux). Every request after the first on a kept-alive connection —
what ``requests.Session``, httpx, MCP clients and browsers use — took 44 ms instead of about
1 ms; a new connection per request did not (measured with ``http.client`` on ``/healthz``).

The socket is bound before ``portal/server.py`` is imported (uvicorn imports the app after
binding), so :func:`enable` extends asyncio's rule instead: a TCP stream socket of protocol 0
gets ``TCP_NODELAY`` too when asyncio wraps it in a transport, which is what asyncio already
does for every socket it creates itself. It changes nothing when asyncio has no such helper.
"""

from __future__ import annotations

import asyncio.base_events
import socket
from collections.abc import Callable

_HELPER = "_set_nodelay"


def enable() -> bool:
    """Make asyncio set ``TCP_NODELAY`` on TCP stream sockets of protocol 0 as well.

    Returns:
        True when asyncio's helper is extended (now or by an earlier call), False when asyncio
        has no such helper (nothing is changed then).
    """
    original: Callable[[socket.socket], None] | None = getattr(asyncio.base_events, _HELPER,
                                                               None)
    if original is None:
        return False
    if getattr(original, "_portal_nodelay", False):
        return True

    def set_nodelay(sock: socket.socket) -> None:
        """asyncio's own rule, then ``TCP_NODELAY`` on a TCP stream of protocol 0."""
        original(sock)
        if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
                and sock.proto == 0):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    set_nodelay._portal_nodelay = True  # type: ignore[attr-defined]
    setattr(asyncio.base_events, _HELPER, set_nodelay)
    return True
