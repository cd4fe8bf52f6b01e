"""A throw-away local Spark Connect server for the tests: PySpark's bundled Connect plugin
(``spark-connect_2.13-<version>.jar``) in a JVM of its own, started by a child Python process
on a free loopback port, so the test process talks to it only through ``sc://`` (as the portal
does with ``MESH_SPARK_REMOTE``) while its own classic session keeps running.

Needs Java 17 and PySpark's ``connect`` extras (grpcio, grpcio-status,
googleapis-common-protos, zstandard).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

SERVER = """
import sys
from pyspark.sql import SparkSession

spark = (SparkSession.builder.master("local[2]").appName("mesh-connect-test")
         .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
         .config("spark.connect.grpc.binding.address", "127.0.0.1")
         .config("spark.connect.grpc.binding.port", sys.argv[1])
         .config("spark.ui.enabled", "false")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
         .config("spark.sql.warehouse.dir", sys.argv[2])
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
sys.stdin.read()  # serve until the test process closes our standard input
spark.stop()
"""
"""The child's program: a classic session with the Connect plugin, on the port given."""


def connect_missing() -> str | None:
    """What is missing for PySpark's Spark Connect client, or None."""
    try:
        import grpc  # noqa: F401
        import grpc_status  # noqa: F401
        import zstandard  # noqa: F401
        from google.rpc import status_pb2  # noqa: F401
    except ImportError as err:
        return f"PySpark's connect extras are not installed ({err.name})"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def connect_server(env: Mapping[str, str], folder: Path, timeout_s: float = 600.0) -> Iterator[str]:
    """Run a local Spark Connect server inside the ``with`` block.

    Args:
        env: the environment of the child (``JAVA_HOME`` set).
        folder: a private folder for its warehouse and log.
        timeout_s: how long it may take to start (a JVM on a busy machine: minutes).

    Yields:
        Its URL, ``sc://127.0.0.1:<port>``.

    Raises:
        RuntimeError: it exited or did not listen within ``timeout_s`` (its log is quoted).
    """
    port = _free_port()
    log = folder / "connect-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), str(folder / "warehouse")],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
        )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    "the Spark Connect server exited: " + log.read_text(errors="replace")[-2000:]
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=1),
            ):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "the Spark Connect server did not start within "
                    f"{timeout_s:g} s: " + log.read_text(errors="replace")[-2000:]
                )
            time.sleep(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def java_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with ``JAVA_HOME`` set to the Java Spark starts (see the adapter)."""
    from catalog.engines.spark import java_home

    home = java_home(env)
    return {**env, **({"JAVA_HOME": home} if home else {})} | {
        "PYTHONPATH": os.pathsep.join(
            p for p in (env.get("PYTHONPATH", ""), str(Path(__file__).resolve().parents[3])) if p
        )
    }
