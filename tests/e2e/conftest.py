"""Browser fixtures: the real Streamlit server on a free port, and Debian's Chromium driven by
Playwright (Playwright's own browser download cannot work offline, so /usr/bin/chromium is used).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from catalog.config import REPO_ROOT, Settings

TIMEOUT_MS = 60_000
"""How long a browser test waits for one thing to show (ms)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server process: terminate, then kill if it has not ended within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def start_streamlit(script: Path, log: Any, *, env: Mapping[str, str] | None = None,
                    cwd: Path | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """Start ``streamlit run script`` on a free loopback port and wait until it is healthy.

    Args:
        script: the Streamlit script.
        log: an open binary file the server's output goes to.
        env: the server's environment (default: this process's).
        cwd: the server's working folder (default: the repository).

    Returns:
        The base URL and the server process (stop it with :func:`stop`).

    Raises:
        RuntimeError: the server exited or was not healthy within 60 s.
    """
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=cwd or REPO_ROOT, env=dict(env) if env is not None else None, stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
    except BaseException:
        stop(process)
        raise
    return url, process


@contextmanager
def serve_streamlit(script: Path, log_path: Path, *, env: Mapping[str, str] | None = None,
                    cwd: Path | None = None) -> Iterator[str]:
    """Run ``streamlit run script`` on a free loopback port; yields its base URL, stops it after.

    Args:
        script: the Streamlit script.
        log_path: where the server's output goes.
        env: the server's environment (default: this process's).
        cwd: the server's working folder (default: the repository). Streamlit reads
            ``.streamlit/config.toml`` and ``.streamlit/secrets.toml`` from it.
    """
    with log_path.open("wb") as log:
        url, process = start_streamlit(script, log, env=env, cwd=cwd)
        try:
            yield url
        finally:
            stop(process)


@contextmanager
def serve_portal(settings: Settings, log_path: Path, *,
                 env: Mapping[str, str | None] | None = None,
                 cwd: Path | None = None) -> Iterator[str]:
    """Run a real portal server (``portal/server.py``: the pages and the HTTP API) over
    ``settings``' mesh; yields its base URL, stops it after.

    Args:
        settings: the mesh (manifest root and data folder) the server reads.
        log_path: where the server's output goes.
        env: extra environment variables of the server (``MESH_AUTH``, …); a None value
            removes the variable.
        cwd: the server's working folder (default: the repository).
    """
    server_env = {**os.environ, "MESH_ROOT": str(settings.mesh_root),
                  "MESH_DATA_DIR": str(settings.data_dir)}
    for name, value in (env or {}).items():
        if value is None:
            server_env.pop(name, None)
        else:
            server_env[name] = value
    with serve_streamlit(REPO_ROOT / "portal" / "server.py", log_path, env=server_env,
                         cwd=cwd) as url:
        yield url


@pytest.fixture(scope="session")
def portal_url(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real portal server over the built demo mesh."""
    with serve_portal(demo_settings, tmp_path_factory.mktemp("server") / "streamlit.log") as url:
        yield url


def new_page(browser: Any, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
    """A fresh browser context (its own cookies, downloads enabled) and a page in it, 1400×1000;
    ``headers`` are sent with every request."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    if headers:
        context.set_extra_http_headers(headers)
    return context, context.new_page()


def wait_for_text(page: Any, text: str) -> None:
    """Wait until ``text`` shows somewhere on the page (a substring of an element's text)."""
    page.get_by_text(text, exact=False).first.wait_for(timeout=TIMEOUT_MS)


def download_by_link(page: Any, link: Any, timeout_ms: int = TIMEOUT_MS) -> Any:
    """Click a link that downloads a file (the portal's download links open a new tab, which the
    browser turns into a download) and return Playwright's ``Download``.

    The ``download`` listener is attached to every new page as soon as it opens, before any of
    its events are handled, so a download that starts at once is not missed.
    """
    downloads: list[Any] = []

    def keep(download: Any) -> None:
        """Keep a download that started."""
        downloads.append(download)

    def watch(new_page: Any) -> None:
        """Catch the new tab's download."""
        new_page.on("download", keep)

    page.context.on("page", watch)
    page.on("download", keep)
    try:
        link.click()
        deadline = time.monotonic() + timeout_ms / 1000
        while not downloads and time.monotonic() < deadline:
            page.wait_for_timeout(100)
    finally:
        page.context.remove_listener("page", watch)
        page.remove_listener("download", keep)
    if not downloads:
        raise AssertionError("clicking the link started no download")
    return downloads[0]


def writable_demo_copy(demo: Settings, base: Path) -> Settings:
    """Settings of a copy of the built demo mesh under ``base`` (manifests and
    ``mesh.duckdb``, a fresh operational store) that publishing and editing may write to."""
    from tests.portal.pagetest import copy_manifests

    data = base / "data"
    data.mkdir()
    shutil.copy2(demo.data_dir / "mesh.duckdb", data / "mesh.duckdb")
    return Settings(mesh_root=copy_manifests(base / "domains"), data_dir=data)
