"""Helpers of the portal tests: a mesh to point the portal at, opening a page like a browser
would, and reading what a user sees."""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from catalog.config import REPO_ROOT

APP = REPO_ROOT / "portal" / "streamlit_app.py"
TIMEOUT = 60.0
OIDC_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback",
                         "cookie_secret": "test-only-cookie-secret-0123456789",
                         "client_id": "portal", "client_secret": "test-only",
                         "server_metadata_url":
                             "http://127.0.0.1:9/.well-known/openid-configuration"}}
"""Streamlit secrets of an OpenID Connect sign-in that AppTest fakes with ``at.user``."""


@dataclass(frozen=True)
class MeshDirs:
    """A mesh for tests: manifest root and built data folder."""

    root: Path
    data: Path


def copy_manifests(target: Path) -> Path:
    """Copy the repository's demo manifests (and build code) to ``target``."""
    shutil.copytree(REPO_ROOT / "domains", target,
                    ignore=shutil.ignore_patterns("__pycache__", ".*"))
    return target


@contextmanager
def use_mesh(mesh: MeshDirs) -> Iterator[None]:
    """Point the portal at ``mesh`` inside the ``with`` block; restore the environment after."""
    saved = {k: os.environ.get(k) for k in ("MESH_ROOT", "MESH_DATA_DIR")}
    os.environ["MESH_ROOT"] = str(mesh.root)
    os.environ["MESH_DATA_DIR"] = str(mesh.data)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def open_page(page: str | None = None, **params: str | list[str]) -> AppTest:
    """Run the app like a browser opening ``/<page>?<params>``.

    Args:
        page: page file relative to ``portal/`` (``"app_pages/product.py"``); home when None.
        params: URL query parameters.

    Returns:
        The :class:`AppTest` after the page has run.
    """
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    if page is not None or params:
        if page is not None:
            at.switch_page(page)
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
    return at


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Open another tab of the product page in ``at`` (as a click on it does: the tab is in
    the URL) and return it after the rerun."""
    at.query_params["tab"] = tab
    return at.run()


def charts(at: AppTest) -> list[str]:
    """The SVG text of every chart (``st.image`` of an SVG) of the page, in page order."""
    found = []
    for image in at.get("image"):
        for img in image.proto.imgs:
            if img.url.startswith(SVG_URL):
                found.append(base64.b64decode(img.url[len(SVG_URL):]).decode("utf-8"))
    return found


SVG_URL = "data:image/svg+xml;base64,"


def table_columns(frame_element: Any) -> dict[str, Any]:
    """The column configuration a table was drawn with (label → config)."""
    return dict(json.loads(frame_element.proto.columns or "{}"))


def texts(at: AppTest) -> str:
    """Everything a user reads on the page (titles, text, alerts, metrics, links), one a line."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "code"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    for metric in at.metric:
        parts.append(f"{metric.label}: {metric.value}")
    parts.extend(link.value for link in at.page_link)
    return "\n".join(parts)


def linked_products(at: AppTest) -> list[str]:
    """Ids of the products the page links to, in page order, without repeats."""
    ids: list[str] = []
    for link in at.page_link:
        for pid in parse_qs(link.proto.query_string).get("product", []):
            if pid not in ids:
                ids.append(pid)
    return ids


def assert_clean(at: AppTest) -> None:
    """No exception reached the page, and no generic "something went wrong" message either."""
    from portal.services import UNEXPECTED_ERROR

    assert not at.exception, [e.message for e in at.exception]
    assert all(e.value != UNEXPECTED_ERROR for e in at.error), [e.value for e in at.error]


@contextmanager
def private_demo_copy(demo: MeshDirs, base: Path) -> Iterator[MeshDirs]:
    """A private copy of the built demo mesh under ``base`` (manifests, ``mesh.duckdb``, its
    own operational store), used as the portal's mesh while the context lasts."""
    copied = MeshDirs(copy_manifests(base / "domains"), base / "data")
    copied.data.mkdir()
    shutil.copy2(demo.data / "mesh.duckdb", copied.data / "mesh.duckdb")
    with use_mesh(copied):
        yield copied
