"""The data routes send an extract while DuckDB is still writing it: over real HTTP (uvicorn in
this process, as ``streamlit run`` serves it), a growing file arrives whole (text, or binary
with 0 bytes), a writer failing mid-way or writing out of order ends the download as
incomplete rather than as a file that looks whole but is not, and the file is deleted however
the download ends; through the routes, a large extract is sent as it is written and comes out
as the table, in its order."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from catalog import LOCAL_USER, Catalog, DataUnavailable, Settings
from catalog.extract_files import ExtractFile, ExtractJob
from portal.api import api_routes, data

CHUNK = b"0123456789abcdef" * 4096
"""64 KiB the fake writers append at a time."""


BINARY = bytes(range(256)) * 256
"""64 KiB with 0 bytes in it, as a Parquet file has."""


def _writer(path: Path, chunks: int, fail: bool = False, pause: float = 0.005,
            block: bytes = CHUNK) -> Callable[[], ExtractFile]:
    """A stand-in for DuckDB: appends ``chunks`` × ``block`` slowly, then fails (and removes
    the file, as the catalog does) or reports the file."""

    def write() -> ExtractFile:
        with path.open("wb") as out:
            for _ in range(chunks):
                out.write(block)
                out.flush()
                time.sleep(pause)
        if fail:
            path.unlink()
            raise DataUnavailable("The product's data files cannot be read: disk on fire")
        return ExtractFile(path, "x.csv", "text/csv", chunks, path.stat().st_size)

    return write


def _out_of_order_writer(path: Path) -> Callable[[], ExtractFile]:
    """A writer that reserves the first MiB and writes the second first, as DuckDB does with
    more than one thread: for a while the first MiB reads as zeros."""

    def write() -> ExtractFile:
        first, second = CHUNK * 16, CHUNK[::-1] * 16
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.pwrite(fd, second, len(first))
            time.sleep(1.0)  # the reader sends the first MiB meanwhile: zeros
            os.pwrite(fd, first, 0)
        finally:
            os.close(fd)
        return ExtractFile(path, "x.csv", "text/csv", 2, path.stat().st_size)

    return write


class Jobs:
    """The jobs the test app starts, one per request, for the test to look at."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[ExtractJob] = []

    def app(self) -> Starlette:
        async def grow(request: Request) -> Response:
            n = len(self.started)
            job = ExtractJob(self.folder / f"extract-{n}.csv", "x.csv", "text/csv")
            kind = request.query_params.get("kind", "text")
            if kind == "out-of-order":
                job.start(_out_of_order_writer(job.path))
            else:
                job.start(_writer(job.path, int(request.query_params["chunks"]),
                                  fail=request.query_params.get("fail") == "1",
                                  block=BINARY if kind == "binary" else CHUNK))
            self.started.append(job)
            await data._first_bytes(job)
            return data.GrowingExtractResponse(job)

        return Starlette(routes=[Route("/grow", grow)])


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Jobs]]:
    """Base URL of uvicorn (h11, as Streamlit runs it) serving the test app, and its jobs."""
    jobs = Jobs(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(jobs.app(), host="127.0.0.1", port=port,
                                           http="h11", log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", jobs
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _gone(path: Path, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return not path.exists()


def test_a_growing_file_arrives_whole_and_is_deleted(served: tuple[str, Jobs]) -> None:
    url, jobs = served
    with httpx.Client(timeout=60) as client, \
            client.stream("GET", f"{url}/grow", params={"chunks": 64}) as response:
        assert not jobs.started[0].done, "the response started before the writer ended"
        body = b"".join(response.iter_bytes())
        assert response.status_code == 200
        assert response.headers["transfer-encoding"] == "chunked"
        assert response.headers["content-encoding"] == "identity"
        assert response.headers["content-disposition"] == 'attachment; filename="x.csv"'
    assert body == CHUNK * 64
    assert _gone(jobs.started[0].path)


def test_a_writer_failing_midway_aborts_the_download(served: tuple[str, Jobs]) -> None:
    url, jobs = served
    received = bytearray()
    with httpx.Client(timeout=60) as client, \
            client.stream("GET", f"{url}/grow", params={"chunks": 48, "fail": "1"}) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
            for chunk in response.iter_bytes():
                received.extend(chunk)
    assert 0 < len(received) <= 48 * len(CHUNK), "part of it came, then the connection ended"
    assert jobs.started[0].failed and _gone(jobs.started[0].path)


def test_a_binary_file_arrives_whole(served: tuple[str, Jobs]) -> None:
    """Chunks with 0 bytes (a Parquet file's) are read again once the writer has ended and
    found unchanged: the download ends normally."""
    url, jobs = served
    with httpx.Client(timeout=60) as client:
        response = client.get(f"{url}/grow", params={"chunks": 64, "kind": "binary"})
    assert response.status_code == 200 and response.content == BINARY * 64
    assert _gone(jobs.started[0].path)


def test_bytes_sent_before_they_were_written_abort_the_download(
        served: tuple[str, Jobs]) -> None:
    url, jobs = served
    received = bytearray()
    with httpx.Client(timeout=60) as client, \
            client.stream("GET", f"{url}/grow", params={"kind": "out-of-order"}) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
            for chunk in response.iter_bytes():
                received.extend(chunk)
    assert received[:1024] == bytes(1024), "zeros went out where data came later"
    assert jobs.started[0].result().bytes == 2 * 16 * len(CHUNK)
    assert _gone(jobs.started[0].path)


def test_a_client_leaving_midway_leaves_no_file(served: tuple[str, Jobs]) -> None:
    url, jobs = served
    with httpx.Client(timeout=60) as client, \
            client.stream("GET", f"{url}/grow", params={"chunks": 200}) as response:
        next(response.iter_raw())
    job = jobs.started[0]
    assert job.wait(timeout=60) and job.result().bytes == 200 * len(CHUNK)
    assert _gone(job.path), "deleted once the writer ended"


# -- through the routes ------------------------------------------------------------------------
@pytest.fixture()
def big_world(fixture_mesh: Settings, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """The fixture mesh with sales.orders served from a 1,000,000-row Parquet file."""
    with duckdb.connect() as conn:
        conn.execute(
            "COPY (SELECT i AS order_id, i % 1000 AS customer_id, CASE WHEN i % 7 = 0 THEN "
            "'=cmd' || i ELSE 'note number ' || i END AS note, i / 3.0 AS amount "
            f"FROM range(1000000) t(i)) TO '{fixture_mesh.data_dir / 'big.parquet'}' "
            "(FORMAT parquet)")
    contract = fixture_mesh.mesh_root / "sales/orders/orders.odcs.yaml"
    contract.write_text(contract.read_text().replace("path: orders.csv, format: csv",
                                                     "path: big.parquet, format: parquet"))
    for name in ("MESH_AUTH", "MESH_ADMINS", "MESH_ADMIN_GROUPS"):
        monkeypatch.delenv(name, raising=False)
    return Catalog(fixture_mesh, recheck_seconds=0)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_large_extract_is_sent_while_written_every_row_once(
        big_world: Catalog, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    responses: list[type[Response]] = []
    original = data._data

    async def spy(call: data.ApiCall, kind: data.Format) -> Response:
        response = await original(call, kind)
        responses.append(type(response))
        return response

    monkeypatch.setattr(data, "_data", spy)
    monkeypatch.setattr(data, "START_BYTES", 1)
    token = big_world.create_token(LOCAL_USER, "stream", days=1).secret
    app = Starlette(routes=api_routes(lambda: big_world))
    with TestClient(app) as client:
        response = client.get(f"/api/v1/products/sales.orders/data.{fmt}",
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert responses == [data.GrowingExtractResponse]
    target = tmp_path / f"out.{fmt}"
    target.write_bytes(response.content)
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    with duckdb.connect() as conn:
        count, out_of_place, distinct, high = conn.execute(
            f"SELECT count(*), count(*) FILTER (WHERE order_id <> n), count(DISTINCT order_id), "
            f"max(order_id) FROM (SELECT order_id, row_number() OVER () - 1 AS n "
            f"FROM {reader}('{target}'))").fetchone() or (0, 0, 0, 0)
    assert (count, distinct, high) == (1_000_000, 1_000_000, 999_999), "every row, once"
    if fmt == "csv":  # a whole-port Parquet file is a set of rows, written on every core
        assert out_of_place == 0, "a CSV keeps the table's order"
    if fmt == "csv":
        assert response.text.splitlines()[1].startswith("0,0,'=cmd0,")  # the formula guard
    folder = big_world.settings.data_dir / ".extracts"
    deadline = time.monotonic() + 30
    while any(folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(folder.iterdir()), "the file is deleted once sent"
