"""One way to serve the app for tests that need a real server: gunicorn on a free port of
127.0.0.1, started by the test and always stopped, with its log kept for the failure message."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict[str, str],
    log: Path,
    *,
    workers: int = 2,
    threads: int = 4,
    boot_seconds: int = 120,
    port: int | None = None,
    blank_certificates: bool = False,
) -> Iterator[str]:
    """Serve ``lms:create_app()`` configured by ``env``; yields the base URL once it answers.

    ``port``: one chosen beforehand (with :func:`free_port`) when the URL must be known first.
    ``blank_certificates``: issue certificates with ``tests.doubles.blank_pdf``, for a test that
    counts them but reads none."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    app = (
        "tests.doubles:app_with_blank_certificates()" if blank_certificates else "lms:create_app()"
    )
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
             "-b", f"127.0.0.1:{port}", app],
            cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + boot_seconds
            while True:
                try:
                    urllib.request.urlopen(base + "/lms/login", timeout=5).close()
                    break
                except OSError:  # refused, reset or timed out while the workers boot
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}") from None
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
