"""The portal's pages in a real browser: time until each page says it is ready and until it is
fully drawn, cold and warm, against an empty Streamlit page measured in the same run.

Every page of the portal is opened in Debian's Chromium (driven by Playwright, as the browser
tests do) on a real ``streamlit run portal/server.py`` over the built demo mesh (``domains/``
and a copy of ``data/``, so the benchmark writes nothing into the real operational store;
``MESH_AUTH=local``, the single-user mode). The **floor** is an empty Streamlit app whose
page holds a title and a 100-row ``st.dataframe``, started the same way (same Streamlit, same
``.streamlit/config.toml``), in the same run, and opened at a URL of the same shape as the
page's: at ``/`` for Home, at ``/floor`` (a second page of the floor app) for every page the
portal serves under a path of its own. Streamlit's browser code, opened at ``/<page>``, first
looks for the server under ``/<page>/`` and, refused, tries ``/`` again after 100 ms: every
multipage app pays this for every page but its first, and an empty app does too. With
``--root-floor`` the floor is measured at ``/`` too, and each page's ratio to it is reported
beside (the figure this benchmark gave before it compared like with like).

Two moments are timed from the start of the navigation (the browser's own clock,
``performance.now()``):

- **ready**: the page says it is ready: Streamlit's connection skeleton is gone, the page's
  title is drawn, the "running" indicator is gone and no element is left stale from an
  earlier run, for 250 ms in a row;
- **drawn**: ready, and nothing is still a placeholder: no ``stSkeleton`` (an element whose
  code is still loading), every Plotly and Vega-Lite chart has drawn its SVG or canvas, every
  data grid its canvas and every image (the portal's SVG charts) its picture, for 250 ms in
  a row.

**Cold**: a freshly started server and a fresh browser context (empty HTTP cache) opening the
page first. **Warm**: the same page opened again three times in that context on that server
(a new Streamlit session each time; the server's imports and the browser's cache are warm).
Figures are medians of ``--repeat`` rounds (each round a fresh server per page). The floor is
measured again right before each page (same rounds, same loads), and each page's ratio is
taken against that floor, so that both see the same load on a shared machine.

The product page is ``operations.flights``; its Quality tab is opened by URL
(``?product=…&tab=Quality``, as the portal's own links write it) when the portal supports it,
else by a click on the tab right after the page is ready (the click's time is then part of the
figure).

**Interactions** (report only): on the product page, a click on another tab until it is
drawn; on the Quality tab, another choice in the trend's rule drop-down until the chart is
drawn again.

Targets: product page and its Quality tab ≤ 1.5× the floor, warm and cold; every other page
≤ 1.2×; both on the time to fully drawn.

Usage::

    python bench/pages.py [--repeat 3] [--pages product quality_tab ...] [--repo PATH]
                          [--root-floor]

``--repo`` serves another checkout of the portal (e.g. a ``git worktree`` of an older commit,
to compare before and after a change) over the same data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import REPO_ROOT, WORK_DIR, machine_note, save_results, table  # noqa: E402

PAGES_DIR = WORK_DIR / "pages"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [  # as tests/browser.py launches it
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 120_000
PRODUCT = "operations.flights"
PRODUCT_TARGET = 1.5
"""Product page and its Quality tab: at most this many times the floor."""
OTHER_TARGET = 1.2
"""Every other page: at most this many times the floor."""
STEADY_MS = 250
"""How long a state must hold to count (a rerun briefly looks finished between two runs)."""

PAGES: dict[str, str] = {
    "home": "/",
    "discover": "/discover",
    "product": f"/product?product={PRODUCT}",
    "quality_tab": f"/product?product={PRODUCT}&tab=Quality",
    "domains": "/domains",
    "quality": "/quality",
    "register": "/register",
    "governance": "/governance",
    "mesh_health": "/mesh-health",
    "my_access": "/my-access",
    "my_tokens": "/my-tokens",
    "audit": "/audit",
    "api": "/api",
}
"""Page name → path and query of its URL."""
PRODUCT_PAGES = ("product", "quality_tab")

FLOOR_APP = '''"""Floor of bench/pages.py: a title and a 100-row table, at / and at /floor."""
import pandas as pd
import streamlit as st


def floor():
    st.title("Floor", anchor=False)
    st.dataframe(pd.DataFrame({"n": range(100), "text": [f"row {i}" for i in range(100)],
                               "value": [i * 1.5 for i in range(100)]}), hide_index=True)


st.set_page_config(page_title="Floor", layout="wide")
st.navigation([st.Page(floor, title="Floor", default=True, url_path="home"),
               st.Page(floor, title="Floor page", url_path="floor")], position="hidden").run()
'''
FLOOR_PAGE = "/floor"
"""The floor's page under a path of its own (for portal pages not served at ``/``)."""


def floor_path(path: str) -> str:
    """The floor's URL path of the same shape as a portal page's: ``/`` or :data:`FLOOR_PAGE`."""
    return "/" if path.split("?", 1)[0] == "/" else FLOOR_PAGE

# Evaluated by page.wait_for_function every 25 ms: returns the time (ms since navigation start)
# at which the wanted state began, once it has held for STEADY_MS; false before.
_STATE_JS = """
([wanted, steady]) => {
  const all = (sel) => Array.from(document.querySelectorAll(sel));
  const one = (sel) => document.querySelector(sel);
  const ready = !!one('[data-testid="stApp"]') && !one('[data-testid="stAppSkeleton"]')
    && !!one('[data-testid="stMain"] h1') && !one('[data-testid="stStatusWidget"]')
    && !one('[data-stale="true"]');
  let ok = ready;
  if (ok && wanted === "drawn") {
    const visible = (el) => el.offsetParent !== null && !el.closest('details:not([open])');
    ok = !all('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]').some(visible)
      && all('[data-testid="stPlotlyChart"]').filter(visible)
           .every((el) => el.querySelector('.main-svg'))
      && all('[data-testid="stVegaLiteChart"]').filter(visible)
           .every((el) => el.querySelector('canvas, svg'))
      && all('[data-testid="stDataFrame"]').filter(visible)
           .every((el) => el.querySelector('canvas'))
      && all('[data-testid="stImage"] img').filter(visible)
           .every((el) => el.complete && el.naturalWidth > 0);
  }
  const key = "__bench_" + wanted;
  if (!ok) { window[key] = null; return false; }
  if (window[key] == null) window[key] = performance.now();
  return performance.now() - window[key] >= steady ? window[key] : false;
}
"""


@dataclass
class Server:
    """A running Streamlit server: base URL and process."""

    url: str
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def serve(script: Path, cwd: Path, env: dict[str, str], log: Path,
          health: tuple[str, ...] = ("/_stcore/health",)) -> Iterator[Server]:
    """``streamlit run script`` on a free loopback port until healthy; stopped after."""
    port = _free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 120
        for path in health:
            while not _healthy(server.url + path):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{script} did not start; see {log}")
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait(page: Any, wanted: str) -> float:
    """Milliseconds from the navigation's start until ``wanted`` (ready or drawn) began;
    NaN when it did not happen within the timeout (reported, not a crash)."""
    try:
        handle = page.wait_for_function(_STATE_JS, arg=[wanted, STEADY_MS], polling=25,
                                        timeout=TIMEOUT_MS)
    except Exception as err:  # noqa: BLE001 - Playwright's TimeoutError
        print(f"  ({wanted} not reached: {str(err).splitlines()[0]})", flush=True)
        return float("nan")
    return float(handle.json_value())


def _reset_marks(page: Any) -> None:
    page.evaluate("() => { window.__bench_ready = null; window.__bench_drawn = null; }")


def _open_quality_tab(page: Any) -> bool:
    """Select the Quality tab when the URL did not (a portal without tab links); returns
    whether it had to click."""
    tab = page.get_by_role("tab", name="Quality")
    if tab.count() == 0:
        tab = page.locator("[data-testid='stTab']", has_text="Quality")
    if tab.first.get_attribute("aria-selected") == "true":
        return False
    tab.first.click()
    page.wait_for_timeout(50)
    return True


def load(page: Any, url: str, name: str) -> dict[str, float]:
    """Open ``url``; seconds until ready and until drawn (from the navigation's start)."""
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    ready = _wait(page, "ready")
    if name == "quality_tab" and _open_quality_tab(page):
        # only after a click: the marks restart, so the figure includes the click; a tab
        # opened by the URL is timed like any page (resetting would add the steady time)
        _reset_marks(page)
        ready = max(ready, _wait(page, "ready"))
    drawn = _wait(page, "drawn")
    return {"ready_s": ready / 1000, "drawn_s": max(ready, drawn) / 1000}


def interact(page: Any, action: Any) -> float:
    """Seconds from ``action()`` until the page is drawn again."""
    _reset_marks(page)
    start = page.evaluate("() => performance.now()")
    action()
    page.wait_for_timeout(30)
    drawn = _wait(page, "drawn")
    return max(0.0, (drawn - float(start)) / 1000)


def _choose_rule(page: Any) -> None:
    chooser = page.locator("[data-testid='stSelectbox']").filter(
        has=page.get_by_role("combobox", name="Rule")).first
    chooser.scroll_into_view_if_needed()
    chooser.get_by_role("button", name="Open").click()
    page.get_by_role("option").nth(1).click()


def _portal_env(repo: Path, data: Path) -> dict[str, str]:
    env = {**os.environ, "MESH_ROOT": str(repo / "domains"), "MESH_DATA_DIR": str(data),
           "MESH_AUTH": "local", "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": str(repo)}
    for name in ("MESH_STATE_DB", "MESH_API_TOKEN"):
        env.pop(name, None)
    return env


def prepare_data(source: Path) -> Path:
    """A copy of the built demo data (database and operational store) for this run."""
    if not (source / "mesh.duckdb").exists():
        raise SystemExit(f"{source}/mesh.duckdb is missing: build the demo mesh first "
                         "(`make build`)")
    target = PAGES_DIR / "data"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("mesh.duckdb", "state.sqlite"):
        if (source / name).exists():
            shutil.copy2(source / name, target / name)
    return target


def measure(browser: Any, script: Path, cwd: Path, env: dict[str, str], health: tuple[str, ...],
            path: str, name: str, repeat: int, warm_loads: int = 3,
            interactions: bool = False) -> dict[str, Any]:
    """Cold and warm loads of one page: ``repeat`` rounds, each on a fresh server."""
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    acts: dict[str, list[float]] = {}
    for round_ in range(repeat):
        with serve(script, cwd, env, PAGES_DIR / "logs" / f"{name}-{round_}.log",
                   health) as server:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            try:
                cold.append(load(page, server.url + path, name))
                for _ in range(warm_loads):
                    warm.append(load(page, server.url + path, name))
                if interactions and name == "product":
                    acts.setdefault("click the Data tab", []).append(interact(
                        page, lambda p=page: p.locator("[data-testid='stTab']",
                                                       has_text="Data").first.click()))
                if interactions and name == "quality_tab":
                    acts.setdefault("another rule in the trend drop-down", []).append(
                        interact(page, lambda p=page: _choose_rule(p)))
            finally:
                context.close()

    def med(values: Any) -> float:
        listed = list(values)
        return statistics.median(listed) if listed else float("nan")

    return {
        "cold_ready_s": med(r["ready_s"] for r in cold),
        "cold_drawn_s": med(r["drawn_s"] for r in cold),
        "warm_ready_s": med(r["ready_s"] for r in warm),
        "warm_drawn_s": med(r["drawn_s"] for r in warm),
        "cold_runs": cold, "warm_runs": warm,
        "interactions": {k: med(v) for k, v in acts.items()},
    }


def _ratio(page: dict[str, Any], floor: dict[str, Any], key: str) -> float:
    return float(page[key] / floor[key]) if floor[key] else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", nargs="*", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--repo", type=Path, default=REPO_ROOT,
                        help="checkout whose portal is served (default: this one)")
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "data",
                        help="built demo data folder (copied first)")
    parser.add_argument("--label", default="", help="name of this run in the results file")
    parser.add_argument("--root-floor", action="store_true",
                        help="also measure the floor at / before each page (ratio reported)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `make browser`")
    from playwright.sync_api import sync_playwright

    repo = args.repo.resolve()
    data = prepare_data(args.data)
    floor_script = PAGES_DIR / "floor_app.py"
    floor_script.write_text(FLOOR_APP, encoding="utf-8")
    portal_env = _portal_env(repo, data)
    print(f"pages in chromium ({machine_note()}); portal of {repo}; median of {args.repeat}")
    results: dict[str, Any] = {"repo": str(repo), "label": args.label, "repeat": args.repeat,
                               "machine": machine_note(), "pages": {}, "floors": {},
                               "root_floors": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # The browser's first page is slower (process start-up): one load, not measured.
            measure(browser, floor_script, repo, dict(os.environ), ("/_stcore/health",), "/",
                    "warm-up", 1, warm_loads=0)
            for name in args.pages:
                # The floor is measured right before each page, so that both see the same load
                # on a shared machine.
                floor = measure(browser, floor_script, repo, dict(os.environ),
                                ("/_stcore/health",), floor_path(PAGES[name]), f"floor-{name}",
                                args.repeat)
                if args.root_floor:
                    results["root_floors"][name] = (
                        floor if floor_path(PAGES[name]) == "/" else
                        measure(browser, floor_script, repo, dict(os.environ),
                                ("/_stcore/health",), "/", f"root-floor-{name}", args.repeat))
                figures = measure(browser, repo / "portal" / "server.py", repo, portal_env,
                                  ("/_stcore/health", "/healthz"), PAGES[name], name,
                                  args.repeat, interactions=True)
                results["floors"][name] = floor
                results["pages"][name] = figures
                print(f"{name}: cold drawn {figures['cold_drawn_s']:.2f} s (floor "
                      f"{floor['cold_drawn_s']:.2f}), warm drawn {figures['warm_drawn_s']:.2f} s "
                      f"(floor {floor['warm_drawn_s']:.2f})", flush=True)
        finally:
            browser.close()
    rows = []
    missed = 0
    for name, f in results["pages"].items():
        floor = results["floors"][name]
        target = PRODUCT_TARGET if name in PRODUCT_PAGES else OTHER_TARGET
        cold_x = _ratio(f, floor, "cold_drawn_s")
        warm_x = _ratio(f, floor, "warm_drawn_s")
        ok = cold_x <= target and warm_x <= target
        missed += not ok
        f.update(cold_ratio=cold_x, warm_ratio=warm_x, target=target, met=ok,
                 cold_ready_ratio=_ratio(f, floor, "cold_ready_s"),
                 warm_ready_ratio=_ratio(f, floor, "warm_ready_s"))
        root = results["root_floors"].get(name)
        if root is not None:
            f.update(cold_root_ratio=_ratio(f, root, "cold_drawn_s"),
                     warm_root_ratio=_ratio(f, root, "warm_drawn_s"))
        rows.append((name, f["cold_ready_s"], f["cold_drawn_s"], floor["cold_drawn_s"], cold_x,
                     f["warm_ready_s"], f["warm_drawn_s"], floor["warm_drawn_s"], warm_x,
                     f"≤ {target}×", "met" if ok else "MISSED",
                     *((f["cold_root_ratio"], f["warm_root_ratio"]) if root else ())))
    print()
    print("seconds from the navigation's start; each page beside a floor measured just before it")
    print(table(rows, ("page", "cold ready", "cold drawn", "floor", "× floor", "warm ready",
                       "warm drawn", "floor", "× floor", "target", "",
                       *(("cold × root floor", "warm × root floor") if args.root_floor
                         else ()))))
    acts = [(f"{name}: {what}", seconds) for name, f in results["pages"].items()
            for what, seconds in f["interactions"].items()]
    if acts:
        print("\ninteractions (median, seconds until drawn again)")
        print(table(acts, ("interaction", "s")))
    print(f"\n{missed} of {len(rows)} pages missed their target ({machine_note()})")
    save_results("pages" + (f"-{args.label}" if args.label else ""), results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
