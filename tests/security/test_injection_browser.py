"""What only a browser shows: hostile text from URLs and manifests stays text in Chromium.

A real portal serves a copy of the demo mesh whose manifests carry Markdown links and images,
HTML and Streamlit directives in every field (tests/security/test_markdown_injection.py builds
it); pages are opened with such text in the URL too. No dialog may open, no request may leave
for a host other than the portal's, no link may lead to ``javascript:`` or the hostile hosts, no
image may come from them, and the hostile text must be readable as written.

A second server renders every sample of tests/portal/test_text_escaping.py through
:func:`portal.safe_text.escape_markdown` in each kind of element that renders Markdown
(markdown, caption, alert, title, page link, expander, metric, badge, button, tab, radio, pills)
and the browser must show exactly the original characters.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.models.principal import LOCAL_USER
from portal.safe_text import WORD_JOINER
from tests.e2e.conftest import serve_portal, serve_streamlit
from tests.portal.pagetest import copy_manifests
from tests.portal.test_text_escaping import HOSTILE
from tests.security.test_markdown_injection import EVIL, PRODUCT, TRACKER, make_hostile, payload

pytestmark = pytest.mark.e2e

TIMEOUT = 30_000  # ms
SCREENSHOT = Path("/tmp/injection.png")
URL_PAYLOADS = ["<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
                f"![t](http://{EVIL}/t.png)"]
"""Hostile text put in query parameters."""
FORBIDDEN_DOM = ['a[href^="javascript:"]', f'a[href^="http://{EVIL}"]',
                 f'a[href^="https://{EVIL}"]', f'a[href^="//{EVIL}"]', f'img[src*="{EVIL}"]',
                 f'img[src*="{TRACKER}"]', "[onerror]"]
"""Nothing of this may be in the page. (The support link's *path* and the signed download
links' query hold hostile text, encoded, pointing at the portal itself; what matters is that
no link or image has the hostile host, checked too.)"""


@pytest.fixture(scope="module")
def hostile_settings(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
                     ) -> Settings:
    """A copy of the built demo mesh with hostile manifests and a stored quality run."""
    base = tmp_path_factory.mktemp("hostile-e2e")
    data = base / "data"
    data.mkdir()
    shutil.copy2(demo_settings.data_dir / "mesh.duckdb", data / "mesh.duckdb")
    settings = Settings(mesh_root=copy_manifests(base / "domains"), data_dir=data)
    make_hostile(settings.mesh_root, data)
    Catalog(settings).run_quality(LOCAL_USER, PRODUCT)
    return settings


@pytest.fixture(scope="module")
def hostile_url(hostile_settings: Settings, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[str]:
    """A real portal server over the hostile mesh."""
    log = tmp_path_factory.mktemp("hostile-server") / "streamlit.log"
    with serve_portal(hostile_settings, log) as url:
        yield url


class Watch:
    """Dialogs opened and hosts requested by a page."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.dialogs: list[str] = []
        self.hosts: set[str] = set()
        page.on("dialog", self._dialog)
        page.on("request", lambda request: self.hosts.add(urlsplit(request.url).netloc))

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def _settled(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)
    page.wait_for_timeout(500)  # images and scripts a rendered payload would load


def _visible_text(page) -> str:  # type: ignore[no-untyped-def]
    """The page's text as a reader sees it (word joiners are invisible)."""
    return " ".join(page.inner_text("[data-testid='stMain']").replace(WORD_JOINER, "").split())


def _assert_inert(page, watch: Watch, portal: str) -> None:  # type: ignore[no-untyped-def]
    assert watch.dialogs == []
    assert watch.hosts <= {urlsplit(portal).netloc}, watch.hosts
    for selector in FORBIDDEN_DOM:
        assert page.locator(selector).count() == 0, selector
    hosts = page.eval_on_selector_all(
        "a[href], img[src]", "els => els.map(e => new URL(e.href || e.src, location).host)")
    assert not [h for h in hosts if h.endswith((EVIL, TRACKER))], hosts


@pytest.mark.parametrize("value", URL_PAYLOADS)
def test_query_parameters_stay_text(hostile_url: str, page, value: str) -> None:  # type: ignore[no-untyped-def]
    watch = Watch(page)
    for path, name in (("product", "product"), ("domains", "domain")):
        page.goto(f"{hostile_url}/{path}?{name}={quote(value, safe='')}")
        _settled(page)
        _assert_inert(page, watch, hostile_url)
        alert = page.locator("[data-testid='stAlertContentError']").first
        assert value in alert.inner_text().replace(WORD_JOINER, ""), "shown as written"
    page.goto(f"{hostile_url}/discover?q={quote(value, safe='')}")
    _settled(page)
    _assert_inert(page, watch, hostile_url)
    box = page.get_by_role("textbox", name="Search data products")
    expect(box).to_have_value(value, timeout=TIMEOUT)  # filled from the URL once the page ran


def test_hostile_manifests_stay_text(hostile_url: str, page) -> None:  # type: ignore[no-untyped-def]
    watch = Watch(page)
    page.goto(f"{hostile_url}/product?product={PRODUCT}")
    _settled(page)
    page.get_by_role("heading", name=re.compile("title")).first.wait_for(timeout=TIMEOUT)
    _assert_inert(page, watch, hostile_url)
    heading = page.locator("h1").first.inner_text().replace(WORD_JOINER, "")
    assert " ".join(heading.split()) == payload("title")
    text = _visible_text(page)
    for field in ("purpose", "usage", "limitations", "owner", "team", "support", "tag"):
        assert payload(field) in text, field
    page.get_by_text("Publish a new version").wait_for(timeout=TIMEOUT)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(1500)  # let the page links and the team table finish drawing
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    for tab in ("Schema", "Contract", "Data", "Quality", "Governance"):
        page.get_by_role("tab", name=re.compile(tab)).click()
        _settled(page)
        _assert_inert(page, watch, hostile_url)
    page.get_by_role("tab", name=re.compile("Contract")).click()
    _settled(page)
    text = _visible_text(page)
    for field in ("contract-purpose", "sla"):
        assert payload(field) in text, field
    page.screenshot(path=str(SCREENSHOT.with_name("injection-contract.png")), full_page=True)
    for path in ("", "discover", "domains?domain=reference", "domains", "quality",
                 "governance", "mesh-health"):
        page.goto(f"{hostile_url}/{path}")
        _settled(page)
        _assert_inert(page, watch, hostile_url)
    page.goto(f"{hostile_url}/domains?domain=reference")
    _settled(page)
    assert payload("domain-description") in _visible_text(page)
    support = page.locator("a[href^='https://help.example/']").first
    assert support.get_attribute("href") == (
        f"https://help.example/a%29%20!%5Bt%5D%28http://{TRACKER}/t.png%29%20%5Bx%5D%28"
        "javascript:alert%281%29%29")


# -- round trip: escaped text shows exactly the original characters ------------------------

PROBE = '''
import sys
sys.path.insert(0, {repo!r})
import streamlit as st
from portal.safe_text import badge_label, escape_markdown
from tests.portal.test_text_escaping import HOSTILE


def render() -> None:
    for i, text in enumerate(HOSTILE):
        one = escape_markdown(text, one_line=True)
        with st.container(key=f"md_{{i}}"):
            st.markdown(escape_markdown(text))
        with st.container(key=f"caption_{{i}}"):
            st.caption(escape_markdown(text))
        with st.container(key=f"error_{{i}}"):
            st.error(escape_markdown(text))
        with st.container(key=f"title_{{i}}"):
            st.title(one, anchor=False)
        with st.container(key=f"link_{{i}}"):
            st.page_link(PAGE, label=one, help=one)
        with st.container(key=f"expander_{{i}}"):
            with st.expander(one):
                st.write("x")
        with st.container(key=f"metric_{{i}}"):
            st.metric(one, one, delta=one)
        with st.container(key=f"badge_{{i}}"):
            st.badge(badge_label(text))
        with st.container(key=f"button_{{i}}"):
            st.button(one, key=f"b{{i}}")
        with st.container(key=f"tabs_{{i}}"):
            st.tabs([one, "other"])
        with st.container(key=f"radio_{{i}}"):
            st.radio("r", [text], key=f"r{{i}}",
                     format_func=lambda v: escape_markdown(v, one_line=True))
        with st.container(key=f"pills_{{i}}"):
            st.pills("p", [text], key=f"p{{i}}",
                     format_func=lambda v: escape_markdown(v, one_line=True))


PAGE = st.Page(render, title="Probe", url_path="probe", default=True)
st.navigation([PAGE], position="hidden").run()
'''
KINDS = {
    "md": "e => e.innerText", "caption": "e => e.innerText", "error": "e => e.innerText",
    "title": "e => e.innerText", "link": "e => e.innerText", "badge": "e => e.innerText",
    "button": "e => e.innerText",
    "expander": "e => e.querySelector('summary [data-testid=stMarkdownContainer]').innerText",
    "metric": "e => ['stMetricLabel', 'stMetricValue', 'stMetricDelta'].map(t => "
              "e.querySelector(`[data-testid=${t}] [data-testid=stMarkdownContainer]`)"
              ".innerText).join(' | ')",
    "tabs": "e => e.querySelector('[role=tab]').innerText",
    "radio": "e => e.querySelector('[role=radiogroup]').innerText",
    "pills": "e => e.querySelector('button').innerText",
}
"""Per kind of element: JavaScript reading the text its Markdown shows."""
MARKUP = ("a, img, em, strong, del, code, pre, .katex, blockquote, table, hr, ul, ol, li, h1, "
          "h2, h3, h4, h5, h6, input, span[role=img], .stMarkdownColoredText, "
          ".stMarkdownColoredBackground, .stMarkdownBadge, [data-testid=stTooltipIcon]")
"""What escaped text must never turn into, inside a Markdown container."""


def _markup(kind: str) -> str:
    """:data:`MARKUP` less what the element itself is made of (a title's h1, a badge)."""
    own = {"title": "h1, ", "badge": ".stMarkdownBadge, "}.get(kind, "")
    return MARKUP.replace(own, "")


def test_escaped_text_shows_exactly_the_original_characters(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "probe.py"
    script.write_text(PROBE.format(repo=str(REPO_ROOT)), encoding="utf-8")
    with serve_streamlit(script, tmp_path / "probe.log") as url:
        watch = Watch(page)
        page.goto(url)
        page.wait_for_selector(f".st-key-pills_{len(HOSTILE) - 1}", timeout=60_000)
        _settled(page)
        wrong = []
        for index, text in enumerate(HOSTILE):
            want = " ".join(text.split())
            for kind, read in KINDS.items():
                element = f".st-key-{kind}_{index}"
                got = " ".join(page.eval_on_selector(element, read)
                               .replace(WORD_JOINER, "").split())
                expected = " | ".join([want] * 3) if kind == "metric" else want
                markup = page.eval_on_selector(
                    element, "(e, sel) => [...e.querySelectorAll('[data-testid="
                    "stMarkdownContainer]')].flatMap(m => [...m.querySelectorAll(sel)])"
                    ".map(x => x.tagName + '.' + x.className)",
                    _markup(kind))
                if got != expected or markup:
                    wrong.append((index, kind, got, markup))
        _assert_inert(page, watch, url)
        assert wrong == []
