"""Quiz submissions per second through the real app under gunicorn, beside a baseline.

The baseline is a bare Flask endpoint under the same gunicorn settings that does one equivalent
database write (insert a row and commit) on the same kind of database. Both are driven by the same
client threads in one run; the figure that matters is the ratio.

    .venv/bin/python bench/quiz_submit.py [--learners 200] [--workers 4] [--threads 16]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE_APP = """
import sqlalchemy as sa
from flask import Flask
engine = sa.create_engine(__import__("os").environ["BENCH_DB"], connect_args={"timeout": 30})
@sa.event.listens_for(engine, "connect")
def _wal(conn, _):
    conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA busy_timeout=30000")
meta = sa.MetaData()
rows = sa.Table("bench_rows", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Text))
app = Flask(__name__)
@app.post("/write")
def write():
    with engine.begin() as conn:
        conn.execute(rows.insert().values(v="x"))
    return "ok"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, env: dict, workers: int, cwd: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", target],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not start") from None
            time.sleep(0.2)
    return proc, base


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def post(op, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data or {}).encode()
    with op.open(url, data=body, timeout=120) as response:
        response.read()
        return response.status, response.url


def timed(threads: int, jobs: list) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda job: job(), jobs))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()

    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.auth.models import Staff
    from lms.content.sync import sync_content
    from lms.db import Base, session

    work = Path(tempfile.mkdtemp(prefix="mingli-bench-"))
    content = ROOT / "tests" / "content"
    url = f"sqlite:///{work / 'lms.sqlite3'}"
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        Base.metadata.create_all(app.extensions["lms"].db.engine)
        sync_content(content)
        pw = generate_password_hash("bench-pw", method="pbkdf2:sha256:1000")
        for n in range(args.learners):
            staff = Staff(employee_no=f"B{n:05d}", name=f"学员{n}", password_hash=pw)
            staff.set_roles({"learner"})
            session.add(staff)
        session.commit()

    env = dict(
        os.environ,
        MINGLI_CONFIG="testing",
        MINGLI_SQLALCHEMY_DATABASE_URI=url,
        MINGLI_LMS_CONTENT_DIR=str(content),
        MINGLI_LMS_CERT_TEMPLATES_DIR=str(ROOT / "certificates"),
        MINGLI_SQLALCHEMY_ENGINE_OPTIONS="{}",  # pooled connections, as in production
        BENCH_DB=f"sqlite:///{work / 'baseline.sqlite3'}",
    )
    (work / "baseline_app.py").write_text(BASELINE_APP)
    import sqlalchemy as sa

    engine = sa.create_engine(env["BENCH_DB"])
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, v TEXT)")
    engine.dispose()

    lms_proc, lms_base = serve("lms:create_app()", env, args.workers, ROOT)
    base_proc, base_base = serve("baseline_app:app", env, args.workers, work)
    try:
        learners = []
        for n in range(args.learners):
            op = opener()
            post(op, lms_base + "/lms/login", {"employee_no": f"B{n:05d}", "password": "bench-pw"})
            _, where = post(op, lms_base + "/lms/courses/basics/quiz")
            learners.append((op, int(re.search(r"/attempts/(\d+)", where).group(1))))

        def submit(op, attempt_id):
            return lambda: post(op, f"{lms_base}/lms/attempts/{attempt_id}/submit", {"q1": "0"})

        baseline_ops = [opener() for _ in range(args.learners)]
        lms_seconds = timed(args.threads, [submit(op, a) for op, a in learners])
        base_seconds = timed(
            args.threads, [lambda op=op: post(op, base_base + "/write") for op in baseline_ops]
        )
    finally:
        for proc in (lms_proc, base_proc):
            proc.terminate()
            proc.wait(timeout=30)

    lms_rate = args.learners / lms_seconds
    base_rate = args.learners / base_seconds
    print(
        f"machine: {os.cpu_count()} CPUs; gunicorn -w {args.workers}; {args.threads} client threads"
    )
    print(f"quiz submissions (save the posted answer, grade 3 questions, no pass): "
          f"{lms_rate:.1f}/s ({args.learners} in {lms_seconds:.2f} s)")  # fmt: skip
    print(f"baseline Flask endpoint, one INSERT + commit:  {base_rate:.1f}/s")
    print(
        f"ratio baseline/app: {base_rate / lms_rate:.1f}x  (app reaches {lms_rate / base_rate:.0%})"
    )


if __name__ == "__main__":
    main()
