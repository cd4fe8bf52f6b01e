"""The real browser of the browser tests: Debian's Chromium driven by Playwright (Playwright's
own browser download cannot work offline, so /usr/bin/chromium is used).

Defined once and registered by ``tests/conftest.py``, so every folder's browser tests share one
Playwright instance (the sync API allows one per thread).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium launched by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: object, tmp_path: Path) -> Iterator[object]:
    """A fresh browser page with downloads enabled, 1400×1000."""
    context = browser.new_context(accept_downloads=True,  # type: ignore[attr-defined]
                                  viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
