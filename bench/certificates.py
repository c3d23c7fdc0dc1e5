"""Certificate benchmarks: issue overhead, a 200-certificate batch, stored size.

    .venv/bin/python bench/certificates.py [--count 200]

Prints, in one run on this machine:
(a) issuing one certificate through the app (checks, QR, Jinja, WeasyPrint, hash, database) against
    plain WeasyPrint rendering the same HTML with the same parsed CSS and fonts (the app's overhead);
(b) a merged batch of ``--count`` stored certificates (seconds per certificate, peak memory of the
    process that builds it, file size), next to one plain WeasyPrint document of as many pages;
(c) the size of a stored certificate.
Figures go to bench/README.md by hand, with the date and machine.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(db: Path):
    from lms import create_app

    return create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db}",
            "LMS_CONTENT_DIR": str(ROOT / "tests" / "content"),
            "LMS_CERT_TEMPLATES_DIR": str(ROOT / "certificates"),
            "LMS_CERT_BASE_URL": "https://lms.example.cn",
            "LMS_CERT_SIGNATORY_NAME": "李华",
        }
    )


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import weasyprint

    return (
        f"{platform.platform()}; {cpu}, {os.cpu_count()} CPUs, {mem:.0f} GB RAM; "
        f"Python {platform.python_version()}; WeasyPrint {weasyprint.__version__}"
    )


NAMES = "王小明 李晓红 张伟 刘洋 陈静 杨帆 赵敏 黄磊 周婷 吴昊 欧阳娜娜 司马相如 阿依古丽·买买提".split()


def setup(app, count: int) -> list[tuple[int, int]]:
    """``count`` staff with a passed attempt each; returns (staff id, attempt id)."""
    from lms.auth.models import Staff
    from lms.content.sync import sync_content
    from lms.db import Base, session, utcnow
    from lms.quizzes.models import Attempt

    with app.app_context():
        engine = app.extensions["lms"].db.engine
        Base.metadata.create_all(engine)
        sync_content(Path(app.config["LMS_CONTENT_DIR"]))
        from lms.courses.models import Course

        course = session.scalars(sa.select(Course).order_by(Course.id)).first()
        pairs = []
        for i in range(count):
            staff = Staff(
                employee_no=f"B{i:05d}",
                name=NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i)),
                department=["门诊服务中心", "住院部", "营业部"][i % 3],
            )
            session.add(staff)
            session.flush()
            attempt = Attempt(
                staff_id=staff.id,
                course_id=course.id,
                seed=i,
                status="graded",
                passed=True,
                score=100.0,
                graded_at=utcnow(),
            )
            session.add(attempt)
            session.flush()
            pairs.append((staff.id, attempt.id))
        session.commit()
        return pairs


def _issue(app, staff_id: int, attempt_id: int) -> tuple[int, float, float]:
    """Issue one certificate through the app: (id, wall seconds, CPU seconds)."""
    from lms.auth.models import Staff
    from lms.certificates.issue import issue
    from lms.courses.models import Course
    from lms.db import session
    from lms.quizzes.models import Attempt

    attempt = session.get(Attempt, attempt_id)
    staff = session.get(Staff, staff_id)
    course = session.get(Course, attempt.course_id)
    wall, cpu = time.perf_counter(), time.process_time()
    cert = issue(staff, course, attempt)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cert_id = cert.id
    session.expunge_all()
    return cert_id, wall, cpu


def issue_overhead(app, pairs) -> dict:
    """App issue and plain WeasyPrint on the very same HTML, alternating, so load hits both alike."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from lms.certificates.models import Certificate
    from lms.db import session

    folder = ROOT / "certificates" / "default"
    base = folder.as_uri() + "/"
    fonts = FontConfiguration()
    css = CSS(filename=str(folder / "theme.css"), font_config=fonts)
    from lms.audit.models import AuditEntry

    result: dict[str, list[float]] = {k: [] for k in ("app", "app_cpu", "plain", "plain_cpu")}
    with app.app_context():
        for n, (staff_id, attempt_id) in enumerate(pairs):
            cert_id, wall, cpu = _issue(app, staff_id, attempt_id)
            html = session.get(Certificate, cert_id).html
            session.expunge_all()
            start, start_cpu = time.perf_counter(), time.process_time()
            HTML(string=html, base_url=base).write_pdf(stylesheets=[css], font_config=fonts)
            plain, plain_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if n < 2:  # warm-up: imports, font loading, caches
                result.setdefault("first", []).append(wall)
                result.setdefault("ids", []).append(cert_id)
                continue
            result["app"].append(wall)
            result["app_cpu"].append(cpu)
            result["plain"].append(plain)
            result["plain_cpu"].append(plain_cpu)
            result.setdefault("ids", []).append(cert_id)
        # Leave the batch to the batch's own certificates.
        ids = result.pop("ids")
        session.execute(sa.delete(AuditEntry).where(AuditEntry.action == "certificate.issue"))
        session.execute(sa.delete(Certificate).where(Certificate.id.in_(ids)))
        session.commit()
    return result


def fresh_fonts_each_time(app, rounds: int = 4) -> list[float]:
    """What the app avoids: a new FontConfiguration and CSS parse for every certificate."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from lms.certificates.models import Certificate
    from lms.db import session

    folder = ROOT / "certificates" / "default"
    with app.app_context():
        html = session.scalars(sa.select(Certificate.html).limit(1)).one()
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        fonts = FontConfiguration()
        HTML(string=html, base_url=folder.as_uri() + "/").write_pdf(
            stylesheets=[CSS(filename=str(folder / "theme.css"), font_config=fonts)],
            font_config=fonts,
        )
        seconds.append(time.perf_counter() - start)
    return seconds


def issue_all(app, pairs) -> tuple[list[float], list[int], list[float]]:
    """Issue the batch's certificates; returns wall seconds each, ids, RSS every 25 (MB)."""
    seconds, ids, rss = [], [], [rss_mb()]
    with app.app_context():
        for n, (staff_id, attempt_id) in enumerate(pairs, 1):
            cert_id, wall, _cpu = _issue(app, staff_id, attempt_id)
            seconds.append(wall)
            ids.append(cert_id)
            if n % 25 == 0:
                rss.append(rss_mb())
    return seconds, ids, rss


def _batch_child(db: str, fmt: str, queue) -> None:
    """Runs in a fresh process, so its peak RSS is the batch's own."""
    app = make_app(Path(db))
    from lms.certificates.batch import BatchFilter, build

    with app.app_context():
        before = peak_rss_mb()
        out = io.BytesIO()
        start = time.perf_counter()
        count = build(BatchFilter(), fmt, out)
        elapsed = time.perf_counter() - start
        data = out.getvalue()
    pages = None
    if fmt == "pdf":
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(data)).pages)
    queue.put(
        {
            "count": count,
            "pages": pages,
            "seconds": elapsed,
            "bytes": len(data),
            "rss_before_mb": before,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def batch_in_child(db: Path, fmt: str) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_batch_child, args=(str(db), fmt, queue))
    process.start()
    result = queue.get(timeout=600)
    process.join()
    return result


def one_document_reference(app, ids: list[int]) -> float:
    """One plain WeasyPrint document with every certificate as a page (the issue's reference)."""
    import re

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from lms.certificates.models import Certificate
    from lms.db import session

    folder = ROOT / "certificates" / "default"
    with app.app_context():
        bodies = []
        for i in ids:
            html = session.get(Certificate, i).html
            body = re.search(r"<body>(.*)</body>", html, re.S).group(1)
            bodies.append(f'<section style="page-break-after: always">{body}</section>')
    fonts = FontConfiguration()
    css = CSS(
        string=(folder / "theme.css").read_text(encoding="utf-8")
        + "\nsection { position: relative; width: 297mm; height: 210mm; overflow: hidden; }",
        base_url=folder.as_uri() + "/",
        font_config=fonts,
    )
    document = f"<!doctype html><html><body>{''.join(bodies)}</body></html>"
    start = time.perf_counter()
    pdf = HTML(string=document, base_url=folder.as_uri() + "/").write_pdf(
        stylesheets=[css], font_config=fonts
    )
    elapsed = time.perf_counter() - start
    return elapsed, len(pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="certificates in the batch")
    parser.add_argument("--rounds", type=int, default=22, help="app vs plain pairs for (a)")
    args = parser.parse_args()

    print(f"Machine: {machine()}")
    print(f"Load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        start = time.perf_counter()
        app = make_app(db)
        print(
            f"App start (create_app, incl. the fc-list font check): {time.perf_counter() - start:.2f} s"
        )
        pairs = setup(app, args.count + args.rounds)

        a = issue_overhead(app, pairs[args.count :])
        med = {k: statistics.median(v) for k, v in a.items() if k not in ("first",)}
        print()
        print(f"(a) Issuing one certificate (median of {len(a['app'])} alternating pairs)")
        print(f"    first issue in the process (WeasyPrint import, fonts): {a['first'][0]:.2f} s")
        print(
            f"    app issue (glyph check, QR, Jinja, render, SHA-256, insert + audit, commit): "
            f"{med['app'] * 1000:.0f} ms wall, {med['app_cpu'] * 1000:.0f} ms CPU"
        )
        print(
            f"    plain WeasyPrint, same HTML, same parsed CSS + FontConfiguration: "
            f"{med['plain'] * 1000:.0f} ms wall, {med['plain_cpu'] * 1000:.0f} ms CPU"
        )
        print(
            f"    app / plain = {med['app'] / med['plain']:.2f}x wall, "
            f"{med['app_cpu'] / med['plain_cpu']:.2f}x CPU   (aim <= 1.15x)"
        )

        seconds, ids, rss = issue_all(app, pairs[: args.count])
        print(
            f"    issuing the batch's {len(ids)} certificates one by one: median "
            f"{statistics.median(seconds) * 1000:.0f} ms; RSS every 25: "
            + " ".join(f"{value:.0f}" for value in rss)
            + " MB"
        )

        batch = batch_in_child(db, "pdf")
        zipped = batch_in_child(db, "zip")
        reference, reference_size = one_document_reference(app, ids)
        per_cert = batch["seconds"] / batch["count"]
        print()
        print(f"(b) Merged batch of {batch['count']} stored certificates ({batch['pages']} pages)")
        print(
            f"    {batch['seconds']:.2f} s = {per_cert * 1000:.1f} ms per certificate; "
            f"file {batch['bytes'] / 2**20:.1f} MB"
        )
        print(
            f"    peak RSS of the batch process {batch['peak_rss_mb']:.0f} MB "
            f"(after start-up {batch['rss_before_mb']:.0f} MB)   (aim < 300 MB)"
        )
        print(
            f"    ZIP + register: {zipped['seconds']:.2f} s, {zipped['bytes'] / 2**20:.1f} MB, "
            f"peak RSS {zipped['peak_rss_mb']:.0f} MB"
        )
        print(
            f"    reference: one plain WeasyPrint document of {len(ids)} pages: {reference:.2f} s "
            f"= {reference / len(ids) * 1000:.1f} ms a page, {reference_size / 2**20:.1f} MB; "
            f"batch / reference = {per_cert / (reference / len(ids)):.2f}x   (aim <= 1.5x)"
        )

        from lms.certificates.models import Certificate
        from lms.db import session

        with app.app_context():
            rows = session.execute(
                sa.select(Certificate.pdf, Certificate.html, Certificate.snapshot)
            ).all()
        pdfs = [len(r.pdf) for r in rows]
        rows_total = [len(r.pdf) + len(r.html.encode()) + len(json.dumps(r.snapshot)) for r in rows]
        print()
        print("(c) Stored certificate (Noto Serif CJK SC, regular + bold embedded)")
        print(
            f"    PDF: mean {statistics.mean(pdfs) / 1024:.1f} KB, max {max(pdfs) / 1024:.1f} KB "
            f"(aim < 100 KB); with HTML and snapshot: mean "
            f"{statistics.mean(rows_total) / 1024:.1f} KB"
        )
        fresh = fresh_fonts_each_time(app)
        print()
        print(
            f"For comparison, plain WeasyPrint with a new FontConfiguration + CSS per "
            f"certificate: median {statistics.median(fresh) * 1000:.0f} ms wall; "
            f"RSS after {len(fresh)} of those: {rss_mb():.0f} MB"
        )
        print(f"Load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        with app.app_context():
            app.extensions["lms"].db.engine.dispose()


if __name__ == "__main__":
    main()
