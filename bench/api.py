"""The HTTP API through the real server: search latency, data extracts, concurrent clients.

Every figure is taken against a real ``streamlit run portal/server.py`` on a free loopback port,
called with a personal API token (``Authorization: Bearer …``) made in-process with the same
``Settings`` before the server starts (``MESH_AUTH=local``, the single-user mode). Each part has
a floor measured in the same run, so that the ratios hold on a busy machine.

1. **Search** over the generated 10,000-product mesh (``bench/generate_mesh.py``): a seeded mix
   of queries drawn from the mesh's own words (``bench/search.py``'s generator: single words,
   two words, typos, exact names, a word with a facet, facets alone), each sent once as
   ``GET /api/v1/products?q=…&domain=…`` after a warm-up, one at a time on a kept-alive
   connection. Latency is the client's wall time until the JSON is read. Floor: the same queries
   through ``SearchIndex.search`` in this process (no HTTP, no page of products, no JSON). The hit
   totals of both are compared (they must agree).
2. **Extract** of TPC-H ``lineitem`` (scale factor 1: 6,001,215 rows; ``tpchgen-cli``, made once
   into ``bench/.work/``), served by a one-product mesh written under ``bench/.work/api/`` whose
   ODCS contract has a ``type: local`` Parquet server (an open port: no grant needed).
   ``GET /api/v1/products/bench.tpch_lineitem/data.csv`` and ``data.parquet``, with
   ``limit=600000`` and whole, each case on a freshly started server (after one small warm-up
   extract), in rounds (:func:`run_case`): a bare DuckDB ``COPY (SELECT * FROM read_parquet(…)
   [LIMIT n]) TO … (FORMAT …)`` (DuckDB's defaults: a thread per core, insertion order kept,
   no memory limit; Parquet with DuckDB's default compression and row groups, as the route's
   own COPY) and ``Catalog.extract_file`` (the catalog's COPY with masking, formula guard and
   audit, no HTTP), each in a fresh process, their memory ``VmHWM`` − the mark after imports;
   then the route, downloaded by ``curl -o`` (``Accept-Encoding: identity``, then ``gzip``)
   and by ``httpx`` in Python (see :data:`ROUTE_WAYS`). Reported: wall time until the last
   byte, time to the first byte, rows/s, and the server's resident memory (``VmRSS`` of the
   process and any children, sampled every 50 ms): baseline (median of 1 s before), peak,
   peak − baseline, and what it keeps after.
3. **Load**: ``--clients`` threads, each with its own ``httpx.Client``, for ``--duration``
   seconds, mixing search (40%), product (25%), contract list or YAML (20%) and latest quality
   run (15%) of random products: requests/s, p50/p95/p99, errors. Meanwhile a probe times a
   plain GET of the page HTML (``/``) and ``/_stcore/health`` every 0.5 s, and (when Playwright
   and Debian's ``/usr/bin/chromium`` are there) a headless browser renders the home page over
   and over (new context each time, until "Popular tags" shows): idle (before the load) vs
   loaded. The browser and the clients run on the same machine as the server: on 2 cores they
   take CPU from it, so the loaded figures are pessimistic.

Targets: route extract (curl) ≥ 0.8× the speed of a bare DuckDB COPY of the same data; server
peak memory − baseline < 300 MB and about the same at 600,000 and 6,000,000 rows. Search and load
have no target of their own; they are reported against their floors and idle figures.

Usage::

    python bench/api.py [--products 10000] [--sf 1] [--duration 30] [--clients 20]
                        [--searches 300] [--repeat 2] [--formats csv parquet]
                        [--skip search extract load] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    DEFAULT_PRODUCTS,
    DEFAULT_SEED,
    REPO_ROOT,
    WORK_DIR,
    default_mesh_root,
    machine_note,
    percentile,
    run_child,
    save_results,
    table,
    verdict,
)

SCRIPT = Path(__file__).resolve()
SERVER_SCRIPT = REPO_ROOT / "portal" / "server.py"
API_DIR = WORK_DIR / "api"
TPCH_ROWS = {"1": 6_001_215, "0.1": 600_572, "0.01": 60_175}
"""Row counts of TPC-H lineitem by scale factor (known in advance, checked after each run)."""
SMALL_LIMIT = 600_000
"""Rows of the smaller extract (the memory must not grow with the size)."""
SPEED_TARGET = 0.8
"""The route must run at least this fraction of a bare DuckDB COPY's speed."""
MEMORY_TARGET_MB = 300.0
"""Peak server memory − baseline during one extract."""
PRODUCT_ID = "bench.tpch_lineitem"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [  # as tests/browser.py launches it
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HOME_TEXT = "Popular tags"
"""The home page's last heading: the page has rendered when it shows."""
LOAD_MIX = (("search", 40), ("product", 25), ("contract", 20), ("quality", 15))
"""Request kinds of the load phase and their weights (%)."""
FACETS = ("domain", "owner", "tag", "status", "classification")
Params = list[tuple[str, Any]]
"""Query parameters of a request, in order, repeated names allowed."""
Format = Literal["csv", "parquet"]


# -- server ------------------------------------------------------------------------------------


@dataclass
class Server:
    """A running portal server: base URL and the process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get_ok(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


@contextmanager
def serve(mesh_root: Path, data_dir: Path, log: Path, timeout: float = 300) -> Iterator[Server]:
    """Run ``streamlit run portal/server.py`` over a mesh on a free port; stop it after.

    Healthy means ``/_stcore/health`` answers and then ``/healthz`` (the API's, which loads the
    catalog's mesh) answers 200, so the mesh load is not part of any timing.

    Raises:
        SystemExit: the server script is missing, exits, or is not healthy in ``timeout`` s.
    """
    if not SERVER_SCRIPT.exists():
        raise SystemExit(f"{SERVER_SCRIPT.relative_to(REPO_ROOT)} does not exist yet: the HTTP "
                         "API server is needed for this benchmark")
    port = _free_port()
    env = {**os.environ, "MESH_ROOT": str(mesh_root), "MESH_DATA_DIR": str(data_dir),
           "MESH_AUTH": "local", "PYTHONUNBUFFERED": "1"}
    for name in ("MESH_STATE_DB", "MESH_API_TOKEN"):
        env.pop(name, None)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(SERVER_SCRIPT), "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + timeout
        for path in ("/_stcore/health", "/healthz"):
            while not _get_ok(server.url + path, timeout=max(1.0, deadline - time.monotonic())):
                if process.poll() is not None:
                    raise SystemExit(f"the server exited with {process.returncode}:\n"
                                     + _tail(log))
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server was not healthy ({path}) after {timeout:.0f} s:"
                                     "\n" + _tail(log))
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from ``/proc/<pid>/task/*/children``)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def cpu_s(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and its descendants, in seconds."""
    ticks = 0
    for p in (pid, *_children(pid)):
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """CPU time of this process and its waited-for children (curl), in seconds."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def rss_mb(pid: int) -> float:
    """Resident memory (``VmRSS``) of ``pid`` and its descendants, MB (0 when gone)."""
    total_kb = 0
    for p in (pid, *_children(pid)):
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
                        break
        except OSError:
            continue
    return total_kb / 1024


class RssSampler:
    """Samples a process tree's resident memory every ``interval`` s in a thread."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[float] = []
        self.times: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.samples.append(rss_mb(self.pid))
            self.times.append(time.perf_counter())
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_mb(self.pid))
        self.times.append(time.perf_counter())

    @property
    def peak(self) -> float:
        return max(self.samples, default=float("nan"))

    def peak_between(self, start: float, end: float) -> float:
        """Highest sample taken between two ``time.perf_counter()`` instants."""
        return max((mb for mb, t in zip(self.samples, self.times, strict=True)
                    if start <= t <= end), default=float("nan"))


def hwm_mb() -> float:
    """This process's resident-memory high-water mark (``VmHWM``), MB.

    Unlike ``ru_maxrss``, which Linux carries over from the parent across ``fork`` + ``exec``
    (so a child of a big benchmark process would start at the parent's size), ``VmHWM``
    belongs to the process's own address space.
    """
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def baseline_mb(pid: int, seconds: float = 1.0, interval: float = 0.05) -> float:
    """Median resident memory of the idle server over ``seconds``."""
    values = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        values.append(rss_mb(pid))
        time.sleep(interval)
    return statistics.median(values)


def make_token(mesh_root: Path, data_dir: Path, name: str) -> str:
    """A personal API token of the local user, stored in ``data_dir``'s state store."""
    from catalog import LOCAL_USER, Catalog, Settings

    catalog = Catalog(Settings(mesh_root=mesh_root, data_dir=data_dir))
    return catalog.create_token(LOCAL_USER, name, days=1).secret


# -- 1. search ---------------------------------------------------------------------------------


def query_params(query: Any) -> Params:
    """The ``GET /api/v1/products`` parameters of a ``SearchQuery`` (facets repeated)."""
    params: Params = [("q", query.text)] if query.text else []
    for facet in FACETS:
        params.extend((facet, value) for value in query.selected(facet))
    return params


def run_search(server: Server, token: str, index: Any, queries: list[Any],
               seed: int) -> dict[str, Any]:
    """Each query once through the API (shuffled, after 10 warm-ups) and in-process."""
    import httpx

    rng = random.Random(seed)
    order = queries[:]
    rng.shuffle(order)
    floor: dict[str, list[float]] = defaultdict(list)
    floor_hits: list[int] = []
    for q in order[:10]:
        index.search(q.query)
    for q in order:
        start = time.perf_counter()
        result = index.search(q.query)
        floor[q.kind].append((time.perf_counter() - start) * 1000)
        floor_hits.append(len(result.hits))
    headers = {"Authorization": f"Bearer {token}"}
    passes: dict[str, Any] = {}
    mismatches: list[str] = []
    for mode, keepalive in (("kept-alive", 20), ("new connection", 0)):
        times: dict[str, list[float]] = defaultdict(list)
        errors = 0
        with httpx.Client(base_url=server.url, headers=headers, timeout=60,
                          limits=httpx.Limits(max_keepalive_connections=keepalive)) as client:
            for q in order[:10]:
                client.get("/api/v1/products", params=query_params(q.query)).raise_for_status()
            for q, expected in zip(order, floor_hits, strict=True):
                start = time.perf_counter()
                response = client.get("/api/v1/products", params=query_params(q.query))
                body = response.json()
                times[q.kind].append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    errors += 1
                elif body["total"] != expected and mode == "kept-alive":
                    mismatches.append(f"{q.query!r}: API {body['total']}, index {expected}")
        flat = [t for ts in times.values() for t in ts]
        passes[mode] = {
            "searches": len(flat), "errors": errors, "p50_ms": percentile(flat, 50),
            "p95_ms": percentile(flat, 95), "p99_ms": percentile(flat, 99), "max_ms": max(flat),
            "by_kind": {kind: {"n": len(ts), "p50_ms": percentile(ts, 50),
                               "p95_ms": percentile(ts, 95), "max_ms": max(ts)}
                        for kind, ts in times.items()}}
    flat_floor = [t for ts in floor.values() for t in ts]
    return {
        **passes["kept-alive"], "new_connection": passes["new connection"],
        "mismatches": mismatches[:5], "mismatch_count": len(mismatches),
        "floor_p50_ms": percentile(flat_floor, 50), "floor_p95_ms": percentile(flat_floor, 95),
        "floor_max_ms": max(flat_floor),
        "floor_by_kind": {kind: {"p50_ms": percentile(ts, 50), "p95_ms": percentile(ts, 95)}
                          for kind, ts in floor.items()},
    }


# -- 2. extract --------------------------------------------------------------------------------


def tpchgen() -> str:
    """The ``tpchgen-cli`` next to this interpreter, else the one on ``PATH``."""
    local = Path(sys.executable).parent / "tpchgen-cli"
    found = str(local) if local.exists() else shutil.which("tpchgen-cli")
    if not found:
        raise SystemExit("tpchgen-cli is missing: pip install tpchgen-cli (requirements-dev.txt)")
    return found


def ensure_lineitem(sf: str) -> Path:
    """``bench/.work/api/tpch-sf<sf>/lineitem.parquet``, made once.

    Linked from the quality benchmark's identical file when that exists (same generator and
    version), else generated by ``tpchgen-cli parquet -s <sf> --tables=lineitem``.
    """
    folder = API_DIR / f"tpch-sf{sf}"
    target = folder / "lineitem.parquet"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    other = WORK_DIR / "quality" / f"tpch-sf{sf}" / "lineitem.parquet"
    if other.exists():
        try:
            os.link(other, target)
            return target
        except OSError:
            pass
    tmp = folder / "tmp"
    tmp.mkdir(exist_ok=True)
    print(f"generating TPC-H lineitem SF{sf} → {target}", flush=True)
    subprocess.run([tpchgen(), "parquet", "-s", sf, "--tables=lineitem", f"--output-dir={tmp}",
                    "--overwrite"], check=True)
    (tmp / "lineitem.parquet").replace(target)
    tmp.rmdir()
    return target


_LOGICAL = {"BIGINT": "integer", "INTEGER": "integer", "DATE": "date", "VARCHAR": "string"}


def write_extract_mesh(parquet: Path, root: Path) -> None:
    """A one-product mesh (domain ``bench``) serving ``parquet`` through a ``local`` server.

    The contract's path is the file's name: the data folder is the file's folder.
    """
    import duckdb
    import yaml

    columns = duckdb.connect().execute(
        f"DESCRIBE SELECT * FROM read_parquet('{parquet}')").fetchall()
    properties = [{"name": name, "logicalType": _LOGICAL.get(kind, "number"),
                   "physicalType": kind, "description": f"TPC-H column {name}.",
                   "classification": "public"} for name, kind, *_ in columns]
    team = {"name": "Benchmark Team", "members": [
        {"username": "bench@example.com", "name": "Bench Runner", "role": "owner"}]}
    support = [{"channel": "#bench", "url": "https://chat.example.com/bench", "tool": "slack",
                "scope": "interactive"}]
    domain = {"name": "bench", "title": "Benchmarks",
              "description": "Data sets of the HTTP API benchmark (bench/api.py).",
              "team": team, "contacts": support}
    product = {
        "apiVersion": "v1.1.0", "kind": "DataProduct", "id": PRODUCT_ID, "name": "tpch_lineitem",
        "version": "1.0.0", "status": "active", "domain": "bench", "type": "sourceAligned",
        "tags": ["tpch", "benchmark"],
        "description": {"purpose": "TPC-H line items served through the HTTP API's extract "
                                   "routes by the API benchmark.",
                        "usage": "Download it whole or in part as CSV or Parquet.",
                        "limitations": "Synthetic data from tpchgen-cli."},
        "team": team, "support": support,
        "outputPorts": [{"name": "lineitem", "type": "tables", "version": "1.0.0",
                         "description": "TPC-H lineitem, one row per order line.",
                         "contractId": f"{PRODUCT_ID}.lineitem"}],
    }
    contract = {
        "apiVersion": "v3.1.0", "kind": "DataContract", "id": f"{PRODUCT_ID}.lineitem",
        "name": "lineitem", "version": "1.0.0", "status": "active", "domain": "bench",
        "dataProduct": "tpch_lineitem",
        "description": {"purpose": "TPC-H line items for the API extract benchmark."},
        "servers": [{"server": "local", "type": "local", "format": "parquet",
                     "path": parquet.name}],
        "schema": [{"name": "lineitem", "physicalName": "lineitem", "physicalType": "table",
                    "description": "One row per order line.", "properties": properties}],
    }
    folder = root / "bench" / "tpch_lineitem"
    folder.mkdir(parents=True, exist_ok=True)
    for path, doc in ((root / "bench" / "domain.yaml", domain),
                      (folder / "product.odps.yaml", product),
                      (folder / "lineitem.odcs.yaml", contract)):
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")


ROUTE_WAYS: tuple[tuple[str, str], ...] = (("curl", "identity"), ("curl", "gzip"),
                                           ("httpx", "gzip"))
"""Route runs as (client, ``Accept-Encoding``). ``curl -o`` (C) asking for the file as written,
then as browsers do (gzip accepted: the server must still send the file as DuckDB wrote it);
then ``httpx`` in Python (its default ``Accept-Encoding``), saving 1 MiB at a time and counting
newlines as it goes. On a 2-core machine the client shares the cores with the server: curl takes
about 0.7 CPU s per 773 MB of CSV, httpx 2.5-3 s, so the httpx figure measures the client as
much as the server. The speed target is checked on the curl runs."""
TARGET_CLIENT = "curl"
"""The client whose runs are held to the speed target (see :data:`ROUTE_WAYS`)."""


def _count_rows(path: Path, fmt: str) -> int:
    """Data rows of a downloaded extract: lines − 1 for CSV, DuckDB's count for Parquet."""
    import duckdb

    if fmt == "parquet":
        return int(duckdb.connect().execute(
            f"SELECT count(*) FROM read_parquet('{path}')").fetchall()[0][0])
    lines = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            lines += block.count(b"\n")
    return lines - 1


def download_curl(server: Server, token: str, fmt: str, limit: int | None, out: Path,
                  encoding: str) -> dict[str, Any]:
    """``curl -o out`` of the extract with ``Accept-Encoding: encoding`` (curl does not decode
    what it receives: the file is the bytes on the wire); wall time, time to the first byte,
    bytes, the ``Content-Encoding`` sent, rows (counted after the clock stops).

    Raises:
        SystemExit: curl failed (an HTTP error, or an incomplete body: exit code 18).
    """
    query = f"?limit={limit}" if limit else ""
    command = ["curl", "--silent", "--show-error", "--fail", "--output", str(out),
               "--header", f"Authorization: Bearer {token}",
               "--header", f"Accept-Encoding: {encoding}",
               "--write-out", "%{time_starttransfer} %{size_download} %{header_json}",
               f"{server.url}/api/v1/products/{PRODUCT_ID}/data.{fmt}{query}"]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"extract {fmt} limit={limit}: curl exit {proc.returncode} "
                         f"{proc.stderr.strip()[:500]}")
    ttfb, size, headers = proc.stdout.split(" ", 2)
    sent_encoding = json.loads(headers).get("content-encoding", ["identity"])[0]
    rows = _count_rows(out, fmt)
    out.unlink()
    return {"seconds": seconds, "ttfb_s": float(ttfb), "started": start, "bytes": int(size),
            "wire_bytes": int(size), "encoding": sent_encoding, "rows": rows}


def download_httpx(server: Server, token: str, fmt: str, limit: int | None, out: Path,
                   encoding: str) -> dict[str, Any]:
    """GET the extract with httpx into ``out`` (1 MiB at a time, newlines counted on the way)
    with ``Accept-Encoding: encoding``; wall time, time to the first byte, bytes on the wire
    and in the file, rows.

    Raises:
        SystemExit: an HTTP error status.
        httpx.RemoteProtocolError: the body ended early (the server aborted the download).
    """
    import httpx

    params = {"limit": str(limit)} if limit else {}
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": encoding}
    newlines = 0
    size = 0
    start = time.perf_counter()
    with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client, \
            client.stream("GET", f"/api/v1/products/{PRODUCT_ID}/data.{fmt}",
                          params=params) as response, out.open("wb") as fh:
        first = time.perf_counter() - start
        if response.status_code != 200:
            response.read()
            raise SystemExit(f"extract {fmt} limit={limit}: HTTP {response.status_code} "
                             f"{response.text[:500]}")
        for chunk in response.iter_bytes(1 << 20):
            fh.write(chunk)
            size += len(chunk)
            if fmt == "csv":
                newlines += chunk.count(b"\n")
        wire = response.num_bytes_downloaded
        sent_encoding = response.headers.get("content-encoding", "identity")
    seconds = time.perf_counter() - start
    rows = newlines - 1 if fmt == "csv" else _count_rows(out, fmt)
    out.unlink()
    return {"seconds": seconds, "ttfb_s": first, "started": start, "bytes": size,
            "wire_bytes": wire, "encoding": sent_encoding, "rows": int(rows)}


def download(server: Server, token: str, fmt: str, limit: int | None, out: Path,
             client: str, encoding: str) -> dict[str, Any]:
    """The extract downloaded by ``client`` (``curl`` or ``httpx``); see
    :func:`download_curl` and :func:`download_httpx`."""
    get = download_curl if client == "curl" else download_httpx
    return get(server, token, fmt, limit, out, encoding)


def _measured(server: Server, token: str, fmt: str, limit: int | None, out: Path,
              client: str, encoding: str) -> dict[str, Any]:
    """One route download with the server's memory sampled (baseline = the idle second
    before) and the CPU time of the server and of the client (the row count after the
    download included: a small part)."""
    base = baseline_mb(server.pid)
    server_cpu, client_cpu = cpu_s(server.pid), _own_cpu_s()
    with RssSampler(server.pid) as sampler:
        run = download(server, token, fmt, limit, out, client, encoding)
    run.update(server_cpu_s=cpu_s(server.pid) - server_cpu,
               client_cpu_s=_own_cpu_s() - client_cpu)
    time.sleep(0.5)
    first_byte = run["started"] + run["ttfb_s"]
    run.update(baseline_mb=base, peak_mb=sampler.peak, delta_mb=sampler.peak - base,
               copy_delta_mb=sampler.peak_between(0, first_byte) - base,
               send_delta_mb=sampler.peak_between(first_byte, float("inf")) - base,
               after_mb=rss_mb(server.pid), samples=len(sampler.samples))
    return run


def run_case(parquet: Path, mesh_root: Path, data_dir: Path, token: str, fmt: Format,
             limit: int | None, repeat: int, log: Path) -> dict[str, Any]:
    """One case (format × size) on a freshly started server, after one small warm-up extract.

    Each of the ``repeat`` rounds runs the bare COPY and ``Catalog.extract_file`` in fresh
    processes, then the route once per :data:`ROUTE_WAYS`: interleaved, so that a change in
    the shared machine's load falls on all alike. Times are medians over the rounds; route
    memory is that of the first run (on the fresh server).
    """
    out = API_DIR / f"download.{fmt}"
    lim = ["--limit", str(limit)] if limit else []
    common = ["--fmt", fmt, "--repeat", "1", *lim]
    copies: list[dict[str, Any]] = []
    catalogs: list[dict[str, Any]] = []
    routes: dict[str, list[dict[str, Any]]] = {f"{c} {e}": [] for c, e in ROUTE_WAYS}
    with serve(mesh_root, data_dir, log) as server:
        download(server, token, fmt, 1000, out, "curl", "identity")
        for _ in range(repeat):
            copies.append(run_child(SCRIPT, ["--child", "copy", "--parquet", str(parquet),
                                             *common]))
            catalogs.append(run_child(SCRIPT, ["--child", "catalog", "--mesh", str(mesh_root),
                                               "--data", str(data_dir), *common]))
            for client, encoding in ROUTE_WAYS:
                routes[f"{client} {encoding}"].append(
                    _measured(server, token, fmt, limit, out, client, encoding))
    copy, cat = _merge(copies), _merge(catalogs)
    route = {way: _summarise(runs) for way, runs in routes.items()}
    return {"fmt": fmt, "limit": limit, "copy": copy, "catalog": cat, "route": route,
            "speed_vs_copy": {w: copy["median_s"] / r["median_s"] for w, r in route.items()},
            "speed_vs_catalog": {w: cat["median_s"] / r["median_s"] for w, r in route.items()}}


def _merge(children: list[dict[str, Any]]) -> dict[str, Any]:
    """One floor's rounds (each a fresh process's one run) as one summary: median time,
    the first round's memory."""
    runs = [{"seconds": c["median_s"], "rows": c["rows"], "bytes": c["bytes"],
             "cpu_s": c["cpu_s"], "peak_minus_imports_mb": c["peak_minus_imports_mb"]}
            for c in children]
    return _summarise(runs)


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median time of the runs, the first run's memory (fresh server) and the worst peak."""
    seconds = statistics.median(r["seconds"] for r in runs)
    out = {"runs_s": [r["seconds"] for r in runs], "median_s": seconds, "rows": runs[0]["rows"],
           "rows_per_s": runs[0]["rows"] / seconds}
    for key in ("cpu_s", "server_cpu_s", "client_cpu_s"):
        if key in runs[0]:
            out[key] = statistics.median(r[key] for r in runs)
    for key in ("ttfb_s", "bytes", "wire_bytes", "encoding", "baseline_mb", "peak_mb",
                "delta_mb", "copy_delta_mb", "send_delta_mb", "after_mb",
                "peak_minus_imports_mb"):
        if key in runs[0]:
            out[key] = runs[0][key]
    if "delta_mb" in runs[0]:
        out["max_delta_mb"] = max(r["delta_mb"] for r in runs)
    if any(r["rows"] != runs[0]["rows"] for r in runs):
        raise SystemExit(f"runs disagree on the rows: {[r['rows'] for r in runs]}")
    return out


def child_copy(parquet: Path, fmt: str, limit: int | None, repeat: int) -> dict[str, Any]:
    """Bare DuckDB ``COPY … TO`` of the Parquet file, in this fresh process: DuckDB's defaults
    (a thread per core, insertion order kept, no memory limit), ``SELECT *``, no format option
    besides the header row of CSV (the route writes Parquet with DuckDB's defaults too)."""
    import duckdb

    mark = hwm_mb()
    con = duckdb.connect()
    limit_sql = f" LIMIT {limit}" if limit else ""
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
    runs = []
    with tempfile.TemporaryDirectory(dir=API_DIR) as tmp:
        target = Path(tmp) / f"copy.{fmt}"
        for _ in range(repeat):
            start, cpu = time.perf_counter(), time.process_time()
            rows = con.execute(f"COPY (SELECT * FROM read_parquet('{parquet}'){limit_sql}) TO "
                               f"'{target}' ({options})").fetchall()[0][0]
            runs.append({"seconds": time.perf_counter() - start, "rows": int(rows),
                         "bytes": target.stat().st_size,
                         "cpu_s": time.process_time() - cpu})
            target.unlink()
    runs[0]["peak_minus_imports_mb"] = hwm_mb() - mark
    return _summarise(runs)


def child_catalog(mesh_root: Path, data_dir: Path, fmt: Format, limit: int | None,
                  repeat: int) -> dict[str, Any]:
    """``Catalog.extract_file`` (the route's work without HTTP), in this fresh process."""
    from catalog import LOCAL_USER, Catalog, ExtractRequest, Settings

    catalog = Catalog(Settings(mesh_root=mesh_root, data_dir=data_dir))
    catalog.extract_file(LOCAL_USER, PRODUCT_ID, None, ExtractRequest(limit=1000), fmt).path \
        .unlink()
    mark = hwm_mb()
    runs = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        extract = catalog.extract_file(LOCAL_USER, PRODUCT_ID, None,
                                       ExtractRequest(limit=limit), fmt)
        runs.append({"seconds": time.perf_counter() - start, "rows": extract.rows,
                     "bytes": extract.bytes, "cpu_s": time.process_time() - cpu})
        extract.path.unlink()
    runs[0]["peak_minus_imports_mb"] = hwm_mb() - mark
    return _summarise(runs)


def run_extract(sf: str, repeat: int, small: int | None,
                formats: tuple[Format, ...] = ("csv", "parquet")) -> dict[str, Any]:
    """Each format, ``limit=small`` then whole: bare COPY, catalog and route, interleaved
    (:func:`run_case`)."""
    if not shutil.which("curl"):
        raise SystemExit("curl is missing: the extract part downloads with it (apt-get install "
                         "curl)")
    parquet = ensure_lineitem(sf)
    data_dir = parquet.parent
    mesh_root = API_DIR / f"mesh-tpch-sf{sf}"
    write_extract_mesh(parquet, mesh_root)
    token = make_token(mesh_root, data_dir, "bench api extract")
    total = TPCH_ROWS.get(sf)
    sizes: list[int | None] = [small, None] if small and (total is None or small < total) \
        else [None]
    results: dict[str, Any] = {"sf": sf, "file_mb": parquet.stat().st_size / 1e6, "cases": {}}
    for limit in sizes:
        for fmt in formats:
            label = f"{fmt} {'all' if limit is None else limit}"
            print(f"  extract {label}: bare COPY, Catalog.extract_file, route "
                  f"({', '.join(f'{c} {e}' for c, e in ROUTE_WAYS)}) × {repeat}", flush=True)
            case = run_case(parquet, mesh_root, data_dir, token, fmt, limit, repeat,
                            API_DIR / "logs" / f"extract-{fmt}-{limit or 'all'}.log")
            expected = total if limit is None else min(limit, total or limit)
            if expected is not None and any(
                    r["rows"] != expected for r in (case["copy"], case["catalog"],
                                                    *case["route"].values())):
                raise SystemExit(f"extract {label}: rows differ from {expected:,}")
            results["cases"][label] = case
    return results


# -- 3. load -----------------------------------------------------------------------------------


@dataclass
class Probe:
    """Times of the page HTML, the health check and the home page's browser render."""

    html_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    render_s: list[float] = field(default_factory=list)
    render_errors: list[str] = field(default_factory=list)


def probe_pages(url: str, probe: Probe, stop: threading.Event, interval: float = 0.5) -> None:
    """GET ``/`` and ``/_stcore/health`` every ``interval`` s until ``stop`` is set, each on a
    new connection (as a browser's first request or a load balancer's check)."""
    import httpx

    with httpx.Client(base_url=url, timeout=60,
                      limits=httpx.Limits(max_keepalive_connections=0)) as client:
        while not stop.is_set():
            started = time.monotonic()
            for path, into in (("/", probe.html_ms), ("/_stcore/health", probe.health_ms)):
                t0 = time.perf_counter()
                client.get(path).raise_for_status()
                into.append((time.perf_counter() - t0) * 1000)
            stop.wait(max(0.0, interval - (time.monotonic() - started)))


class BrowserRenders(threading.Thread):
    """Renders the home page in headless Chromium: ``idle`` times, then until ``stop``."""

    def __init__(self, url: str, idle: Probe, loaded: Probe, idle_renders: int) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.idle, self.loaded, self.idle_renders = idle, loaded, idle_renders
        self.idle_done = threading.Event()
        self.go = threading.Event()
        self.stop = threading.Event()
        self.error: str | None = None

    def _render(self, browser: Any, into: Probe) -> None:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            start = time.perf_counter()
            page.goto(self.url)
            page.get_by_text(HOME_TEXT, exact=False).first.wait_for(timeout=120_000)
            into.render_s.append(time.perf_counter() - start)
        except Exception as err:  # noqa: BLE001 - a slow render is a figure, not a crash
            into.render_errors.append(str(err).splitlines()[0][:200])
        finally:
            context.close()

    def run(self) -> None:
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                     args=CHROMIUM_ARGS)
                self._render(browser, Probe())  # warm-up: the first run of the page script
                for _ in range(self.idle_renders):
                    self._render(browser, self.idle)
                self.idle_done.set()
                self.go.wait()
                while not self.stop.is_set():
                    self._render(browser, self.loaded)
                browser.close()
        except Exception as err:  # noqa: BLE001 - no browser: the HTML probe still runs
            self.error = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
        finally:
            self.idle_done.set()


def load_client(url: str, token: str, plan: list[tuple[str, str, Params]],
                deadline: float, out: list[tuple[str, float, int]]) -> None:
    """Send the planned requests in a loop until ``deadline``; record (kind, ms, status)."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    i = 0
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        while time.monotonic() < deadline:
            kind, path, params = plan[i % len(plan)]
            i += 1
            start = time.perf_counter()
            try:
                response = client.get(path, params=params)
                response.read()
                status = response.status_code
            except httpx.HTTPError:
                status = -1
            out.append((kind, (time.perf_counter() - start) * 1000, status))


def load_plan(rng: random.Random, products: list[Any], queries: list[Any],
              size: int) -> list[tuple[str, str, Params]]:
    """``size`` requests drawn from :data:`LOAD_MIX` over random products and queries."""
    kinds = [k for k, _ in LOAD_MIX]
    weights = [w for _, w in LOAD_MIX]
    plan = []
    for kind in rng.choices(kinds, weights, k=size):
        p = rng.choice(products)
        base = f"/api/v1/products/{p.id}"
        if kind == "search":
            plan.append((kind, "/api/v1/products", query_params(rng.choice(queries).query)))
        elif kind == "product":
            plan.append((kind, base, []))
        elif kind == "contract":
            ports = [port.name for port in p.output_ports]
            if ports and rng.random() < 0.5:
                plan.append((kind, f"{base}/contracts/{rng.choice(ports)}", []))
            else:
                plan.append((kind, f"{base}/contracts", []))
        else:
            plan.append((kind, f"{base}/quality", []))
    return plan


def _probe_summary(p: Probe) -> dict[str, Any]:
    return {"html_n": len(p.html_ms), "html_p50_ms": percentile(p.html_ms, 50),
            "html_p95_ms": percentile(p.html_ms, 95),
            "health_p50_ms": percentile(p.health_ms, 50),
            "health_p95_ms": percentile(p.health_ms, 95),
            "render_n": len(p.render_s),
            "render_median_s": statistics.median(p.render_s) if p.render_s else float("nan"),
            "render_max_s": max(p.render_s, default=float("nan")),
            "render_errors": p.render_errors[:3]}


def run_load(server: Server, token: str, products: list[Any], queries: list[Any],
             clients: int, duration: float, seed: int, browser: bool) -> dict[str, Any]:
    """Idle page figures, then ``clients`` API clients for ``duration`` s with the probes on."""
    idle, loaded = Probe(), Probe()
    renders = None
    if browser and CHROMIUM.exists():
        renders = BrowserRenders(server.url, idle, loaded, idle_renders=3)
        renders.start()
        renders.idle_done.wait(timeout=600)
    stop_idle = threading.Event()
    prober = threading.Thread(target=probe_pages, args=(server.url, idle, stop_idle), daemon=True)
    prober.start()
    time.sleep(min(10.0, duration / 3))
    stop_idle.set()
    prober.join()
    rng = random.Random(seed)
    plans = [load_plan(rng, products, queries, 500) for _ in range(clients)]
    stop = threading.Event()
    prober = threading.Thread(target=probe_pages, args=(server.url, loaded, stop), daemon=True)
    records: list[list[tuple[str, float, int]]] = [[] for _ in range(clients)]
    start = time.monotonic()
    deadline = start + duration
    threads = [threading.Thread(target=load_client, args=(server.url, token, plans[i], deadline,
                                                          records[i]), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    prober.start()
    if renders is not None:
        renders.go.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    stop.set()
    prober.join()
    if renders is not None:
        renders.stop.set()
        renders.join(timeout=180)
    flat = [r for rs in records for r in rs]
    ok = [ms for _, ms, status in flat if 200 <= status < 300]
    by_kind: dict[str, Any] = {}
    for kind, _ in LOAD_MIX:
        ms = [m for k, m, s in flat if k == kind and 200 <= s < 300]
        by_kind[kind] = {"n": sum(k == kind for k, _, _ in flat), "p50_ms": percentile(ms, 50),
                         "p95_ms": percentile(ms, 95), "max_ms": max(ms, default=float("nan"))}
    statuses: dict[str, int] = defaultdict(int)
    for _, _, status in flat:
        statuses[str(status)] += 1
    return {
        "clients": clients, "duration_s": elapsed, "requests": len(flat),
        "requests_per_s": len(flat) / elapsed, "ok": len(ok),
        "errors": len(flat) - len(ok), "statuses": dict(statuses),
        "p50_ms": percentile(ok, 50), "p95_ms": percentile(ok, 95), "p99_ms": percentile(ok, 99),
        "max_ms": max(ok, default=float("nan")), "by_kind": by_kind,
        "idle": _probe_summary(idle), "loaded": _probe_summary(loaded),
        "browser": ("no browser (--no-browser)" if not browser else
                    f"{CHROMIUM} missing" if renders is None else renders.error or "chromium"),
    }


# -- report ------------------------------------------------------------------------------------


def report(r: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Print the detail tables and return the summary rows (figure, value, floor, ratio,
    target, verdict)."""
    rows: list[tuple[Any, ...]] = []
    s = r.get("search")
    if s:
        print(f"\nSEARCH through the API ({s['searches']} searches, {r['products']:,} products; "
              "floor = SearchIndex.search in-process, same queries)")
        fresh, fl = s["new_connection"], s["floor_by_kind"]
        kinds = [(k, v["n"], v["p50_ms"], v["p95_ms"], fresh["by_kind"][k]["p50_ms"],
                  fresh["by_kind"][k]["p95_ms"], fl[k]["p50_ms"], fl[k]["p95_ms"])
                 for k, v in s["by_kind"].items()]
        kinds.append(("all", s["searches"], s["p50_ms"], s["p95_ms"], fresh["p50_ms"],
                      fresh["p95_ms"], s["floor_p50_ms"], s["floor_p95_ms"]))
        print(table(kinds, ("query kind", "n", "kept-alive p50", "p95", "new conn. p50", "p95",
                            "floor p50", "p95")))
        print(f"(ms) max kept-alive {s['max_ms']:.0f}, new connection {fresh['max_ms']:.0f}, "
              f"floor {s['floor_max_ms']:.1f}; errors {s['errors'] + fresh['errors']}; hit "
              f"totals differing from the index: {s['mismatch_count']} "
              f"{s['mismatches'][:2] or ''}")
        for mode, x in (("kept-alive connection", s), ("new connection each", fresh)):
            for q in ("p50", "p95"):
                floor = s[f"floor_{q}_ms"]
                rows.append((f"search {q}, API ({mode})", f"{x[f'{q}_ms']:.1f} ms",
                             f"{floor:.1f} ms", f"+{x[f'{q}_ms'] - floor:.1f} ms", "", ""))
    e = r.get("extract")
    if e:
        print(f"\nEXTRACT of TPC-H lineitem SF{e['sf']} ({e['file_mb']:.0f} MB Parquet): "
              "median wall time of the rounds; memory of the first run")
        detail = []
        for label, c in e["cases"].items():
            ways = [("bare DuckDB COPY", c["copy"]), ("Catalog.extract_file", c["catalog"]),
                    *((f"HTTP route, {way}", x) for way, x in c["route"].items())]
            for name, x in ways:
                if "delta_mb" in x:
                    mem = (f"{x['baseline_mb']:.0f} → {x['peak_mb']:.0f} (+{x['delta_mb']:.0f};"
                           f" to 1st byte +{x['copy_delta_mb']:.0f}, then "
                           f"+{x['send_delta_mb']:.0f}), after {x['after_mb']:.0f}")
                    wire = f"{x['wire_bytes'] / 1e6:,.0f} ({x['encoding']})"
                    cpu = f"{x['server_cpu_s']:.2f} + {x['client_cpu_s']:.2f}"
                else:
                    mem, wire = f"+{x['peak_minus_imports_mb']:.0f}", ""
                    cpu = f"{x['cpu_s']:.2f}"
                detail.append((label, name, x["rows"], x["median_s"], x["rows_per_s"],
                               x["bytes"] / 1e6, wire, x.get("ttfb_s", float("nan")), cpu,
                               mem))
        print(table(detail, ("case", "way", "rows", "median s", "rows/s", "file MB", "wire MB",
                             "ttfb s", "CPU s (server + client)", "memory MB")))
        print("\nEXTRACT: route (curl) against bare COPY, per case")
        compact = []
        for label, c in e["cases"].items():
            route, copy = c["route"][f"{TARGET_CLIENT} identity"], c["copy"]
            speed = c["speed_vs_copy"][f"{TARGET_CLIENT} identity"]
            compact.append((label, f"{copy['median_s']:.2f}", f"{route['median_s']:.2f}",
                            f"{speed:.2f}×", f"{c['speed_vs_copy']['httpx gzip']:.2f}×",
                            f"+{route['delta_mb']:.0f}",
                            f"+{copy['peak_minus_imports_mb']:.0f}"))
        print(table(compact, ("case", "COPY s", "route s", "speed vs COPY",
                              "(httpx client)", "server peak MB", "COPY's peak MB")))
        for label, c in e["cases"].items():
            for way, route in c["route"].items():
                speed = c["speed_vs_copy"][way]
                held = way.startswith(TARGET_CLIENT)
                rows.append((f"extract {label}, route ({way}): rows/s",
                             f"{route['rows_per_s']:,.0f} ({route['median_s']:.2f} s)",
                             f"{c['copy']['rows_per_s']:,.0f} ({c['copy']['median_s']:.2f} s)",
                             f"{speed:.2f}× COPY", f"≥ {SPEED_TARGET}× COPY" if held else "",
                             verdict(speed, SPEED_TARGET, lower_is_better=False) if held
                             else ""))
            first = c["route"][f"{TARGET_CLIENT} identity"]  # the first run, on a fresh server
            rows.append((f"extract {label}: server peak − baseline (first run)",
                         f"{first['delta_mb']:.0f} MB (peak {first['peak_mb']:.0f})",
                         f"COPY +{c['copy']['peak_minus_imports_mb']:.0f} MB", "",
                         f"< {MEMORY_TARGET_MB:.0f} MB",
                         verdict(first["delta_mb"], MEMORY_TARGET_MB)))
    lo = r.get("load")
    if lo:
        print(f"\nLOAD: {lo['clients']} clients for {lo['duration_s']:.0f} s "
              f"({lo['requests']:,} requests, statuses {lo['statuses']}); pages: {lo['browser']}")
        print(table([(k, v["n"], v["p50_ms"], v["p95_ms"], v["max_ms"])
                     for k, v in lo["by_kind"].items()],
                    ("request", "n", "p50 ms", "p95 ms", "max ms")))
        i, d = lo["idle"], lo["loaded"]
        print(table([("GET / (page HTML) p50 / p95 ms", f"{i['html_p50_ms']:.1f} / "
                      f"{i['html_p95_ms']:.1f}", f"{d['html_p50_ms']:.1f} / "
                      f"{d['html_p95_ms']:.1f}"),
                     ("GET /_stcore/health p50 / p95 ms", f"{i['health_p50_ms']:.1f} / "
                      f"{i['health_p95_ms']:.1f}", f"{d['health_p50_ms']:.1f} / "
                      f"{d['health_p95_ms']:.1f}"),
                     *([("home page render median / max s (n)",
                         f"{i['render_median_s']:.2f} / {i['render_max_s']:.2f} ({i['render_n']})",
                         f"{d['render_median_s']:.2f} / {d['render_max_s']:.2f} ({d['render_n']})")]
                       if i["render_n"] or d["render_n"] else [])],
                    ("page figure", "idle", f"under load ({lo['clients']} clients)")))
        for probe in (i, d):
            if probe["render_errors"]:
                print(f"render errors: {probe['render_errors']}")
        rows.append((f"load: {lo['clients']} clients, requests/s", f"{lo['requests_per_s']:.0f}",
                     "", "", "", ""))
        rows.append(("load: p50 / p95 / p99", f"{lo['p50_ms']:.0f} / {lo['p95_ms']:.0f} / "
                     f"{lo['p99_ms']:.0f} ms", "", "", "", ""))
        rows.append(("load: errors", f"{lo['errors']} of {lo['requests']:,}", "", "", "0",
                     "met" if lo["errors"] == 0 else "MISSED"))
        rows.append(("page HTML p95, loaded (idle)", f"{d['html_p95_ms']:.0f} ms",
                     f"{i['html_p95_ms']:.0f} ms",
                     f"{d['html_p95_ms'] / i['html_p95_ms']:.1f}×", "", ""))
        rows.append(("/_stcore/health p95, loaded (idle)", f"{d['health_p95_ms']:.0f} ms",
                     f"{i['health_p95_ms']:.0f} ms",
                     f"{d['health_p95_ms'] / i['health_p95_ms']:.1f}×", "", ""))
        if d["render_n"] and i["render_n"]:
            rows.append(("home page render median, loaded (idle)",
                         f"{d['render_median_s']:.2f} s", f"{i['render_median_s']:.2f} s",
                         f"{d['render_median_s'] / i['render_median_s']:.1f}×", "", ""))
    return rows


# -- main --------------------------------------------------------------------------------------


def child_main(args: argparse.Namespace) -> int:
    """A floor in this fresh process; one JSON line on stdout."""
    if args.child == "copy":
        result = child_copy(Path(args.parquet).resolve(), args.fmt, args.limit, args.repeat)
    else:
        result = child_catalog(Path(args.mesh).resolve(), Path(args.data).resolve(),
                               cast(Format, args.fmt), args.limit, args.repeat)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--root", type=Path, default=None,
                        help="mesh for search and load (default: the generated one)")
    parser.add_argument("--sf", default="1", help="TPC-H scale factor of the extract")
    parser.add_argument("--small", type=int, default=SMALL_LIMIT,
                        help="row limit of the smaller extract (0: only the whole table)")
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2, help="measured runs per extract")
    parser.add_argument("--formats", nargs="+", default=("csv", "parquet"),
                        choices=("csv", "parquet"), help="extract formats to measure")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true",
                        help="time only the page HTML and health check, no Chromium render")
    parser.add_argument("--skip", nargs="*", default=(), choices=("search", "extract", "load"))
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 300 products, SF 0.01, 60 searches, 4 clients for 5 s")
    parser.add_argument("--child", choices=("copy", "catalog"), help=argparse.SUPPRESS)
    parser.add_argument("--parquet", help=argparse.SUPPRESS)
    parser.add_argument("--mesh", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--fmt", choices=("csv", "parquet"), help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)
    if args.quick:
        args.products, args.sf, args.small = 300, "0.01", 20_000
        args.searches, args.repeat, args.duration, args.clients = 60, 1, 5.0, 4
    API_DIR.mkdir(parents=True, exist_ok=True)
    print(f"API benchmark ({machine_note()})", flush=True)
    results: dict[str, Any] = {"products": args.products, "machine": machine_note()}
    if "search" not in args.skip or "load" not in args.skip:
        from bench.search import build_queries
        from catalog import Catalog, Settings
        from catalog.search import SearchIndex

        root = (args.root or default_mesh_root(args.products, args.seed)).resolve()
        if args.root is None:
            from bench.generate_mesh import ensure_mesh

            ensure_mesh(root, args.products, seed=args.seed)
        data_dir = API_DIR / f"data-{root.name}"
        data_dir.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(Settings(mesh_root=root, data_dir=data_dir))
        products = list(catalog.mesh().products.values())
        results["products"] = len(products)
        token = make_token(root, data_dir, "bench api")
        queries = build_queries(products, args.searches, args.seed)
        print(f"starting the server over {root.name} ({len(products):,} products)", flush=True)
        started = time.perf_counter()
        with serve(root, data_dir, API_DIR / "logs" / "search.log") as server:
            results["server_start_s"] = time.perf_counter() - started
            results["server_rss_mb"] = rss_mb(server.pid)
            if "search" not in args.skip:
                print(f"search: {len(queries)} queries", flush=True)
                results["search"] = run_search(server, token, SearchIndex(products), queries,
                                               args.seed)
            if "load" not in args.skip:
                print(f"load: {args.clients} clients for {args.duration:.0f} s", flush=True)
                results["load"] = run_load(server, token, products, queries, args.clients,
                                           args.duration, args.seed, not args.no_browser)
        del catalog, products
    if "extract" not in args.skip:
        print(f"extract: TPC-H lineitem SF{args.sf}", flush=True)
        results["extract"] = run_extract(args.sf, args.repeat, args.small or None,
                                         tuple(args.formats))
    rows = report(results)
    print(f"\nSUMMARY ({machine_note()}; a shared machine: figures are noisy, floors are from "
          "the same run)")
    print(table(rows, ("figure", "value", "floor (same run)", "ratio", "target", "")))
    results["summary"] = [list(map(str, row)) for row in rows]
    save_results("api", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
