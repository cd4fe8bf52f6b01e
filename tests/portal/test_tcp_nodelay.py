"""The portal server's connections have Nagle's algorithm off (``TCP_NODELAY``), so a client
on a kept-alive connection is not held 40 ms per request by delayed acknowledgements."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading

from catalog.config import REPO_ROOT
from portal import tcp_nodelay


def _accepted_nodelay(listener: socket.socket) -> int:
    """Serve one connection on ``listener`` (bound as Streamlit binds it) with asyncio, as
    uvicorn does; return the accepted connection's ``TCP_NODELAY``."""
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        port = listener.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    # a thread of its own: an earlier test (Playwright's sync API) may leave a loop running here
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as err:  # noqa: BLE001 - re-raised in the test's thread
            failed.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if failed:
        raise failed[0]
    return seen[0]


def _streamlit_like_listener() -> socket.socket:
    """A listening socket made like Streamlit's (``socket.socket(family)``: protocol 0)."""
    sock = socket.socket(family=socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    return sock


def test_connections_on_a_streamlit_bound_socket_get_nodelay() -> None:
    assert tcp_nodelay.enable()
    assert tcp_nodelay.enable()  # a second call changes nothing
    assert _accepted_nodelay(_streamlit_like_listener()) == 1


def test_the_server_module_enables_it() -> None:
    # in a process of its own, as `streamlit run portal/server.py` imports it
    probe = ("import asyncio.base_events as b, portal.server; "
             "print(getattr(b._set_nodelay, '_portal_nodelay', False))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=120, check=True)
    assert out.stdout.strip().endswith("True"), out.stdout + out.stderr
