"""Batch printing for HR: the stored PDFs of a filter, merged into one PDF or zipped with a register.

Nothing is rendered here: batches serve the PDFs frozen at issue, so a batch prints exactly what each
person was given. The web runs a batch in a background thread and keeps its progress and result in
``lms_certificate_batches`` (never in a folder the web server serves); the CLI calls the same
:func:`build`, so both produce the same pages.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any

import sqlalchemy as sa
from flask import Flask, current_app

from lms.audit.log import record
from lms.auth.models import Staff
from lms.certificates.errors import CertificateRefused
from lms.certificates.issue import STATE_LABELS, status_clause, status_of, today
from lms.certificates.models import Certificate, CertificateBatch
from lms.courses.models import Course
from lms.db import engine, session, utcnow
from lms.i18n import _, _l

FORMATS = ("pdf", "zip")
REGISTER_HEADER = [
    _l("证书编号"),
    _l("姓名"),
    _l("部门"),
    _l("课程"),
    _l("发证日期"),
    _l("有效期至"),
    _l("状态"),
]
STALE_AFTER = timedelta(minutes=10)  # a running batch silent this long died with its process
KEEP_RESULTS = timedelta(days=7)
_CHUNK = 50
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchFilter:
    """Which certificates to print; batches always leave out revoked and superseded versions."""

    course: str | None = None  # slug
    department: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None

    def params(self) -> dict[str, Any]:
        return {
            "course": self.course,
            "department": self.department,
            "issued_from": self.issued_from.isoformat() if self.issued_from else None,
            "issued_to": self.issued_to.isoformat() if self.issued_to else None,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> BatchFilter:
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            course=params.get("course") or None,
            department=params.get("department") or None,
            issued_from=day(params.get("issued_from")),
            issued_to=day(params.get("issued_to")),
        )

    def describe(self) -> str:
        parts = []
        if self.course:
            parts.append(_("课程 %(course)s", course=self.course))
        if self.department:
            parts.append(_("部门 %(department)s", department=self.department))
        if self.issued_from or self.issued_to:
            parts.append(
                _(
                    "发证 %(start)s 至 %(end)s",
                    start=self.issued_from or "…",
                    end=self.issued_to or "…",
                )
            )
        return _(",").join(parts) or _("全部")


def printable_query(f: BatchFilter) -> sa.Select:
    """Current certificates matching the filter, in print order (department, person, course)."""
    query = (
        sa.select(Certificate, Staff, Course)
        .join(Staff, Staff.id == Certificate.staff_id)
        .join(Course, Course.id == Certificate.course_id)
        .where(status_clause("current", today()))
    )
    if f.course:
        query = query.where(Course.slug == f.course)
    if f.department:
        query = query.where(Staff.department == f.department)
    if f.issued_from:
        query = query.where(Certificate.issued_on >= f.issued_from)
    if f.issued_to:
        query = query.where(Certificate.issued_on <= f.issued_to)
    return query.order_by(
        Staff.department, Staff.employee_no, Course.position, Course.id, Certificate.id
    )


def count(f: BatchFilter) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(printable_query(f).subquery()))


def neutralise(value: object) -> str:
    """A CSV cell that spreadsheet programs will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def register_csv(rows: list[tuple[Certificate, Staff, Course]]) -> bytes:
    """The register: one line per certificate; UTF-8 with BOM so spreadsheet programs read Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REGISTER_HEADER)
    on = today()
    for cert, staff, _course in rows:
        snap = cert.snapshot or {}
        writer.writerow(
            [
                neutralise(v)
                for v in (
                    cert.serial,
                    snap.get("name", staff.name),
                    staff.department or "",
                    snap.get("course_title", ""),
                    cert.issued_on.isoformat(),
                    cert.expires_on.isoformat() if cert.expires_on else "",
                    STATE_LABELS[status_of(cert, on)],
                )
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _stored_pdfs(ids: list[int]) -> Iterator[tuple[int, bytes]]:
    """The stored PDFs, a chunk at a time: a batch never holds every certificate in memory twice."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = dict(
            session.execute(
                sa.select(Certificate.id, Certificate.pdf).where(Certificate.id.in_(chunk))
            ).all()
        )
        for cert_id in chunk:
            yield cert_id, rows[cert_id]


def _file_name(cert: Certificate, staff: Staff) -> str:
    name = re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", (cert.snapshot or {}).get("name", staff.name))
    return f"{cert.serial}_{name[:40]}.pdf"


def build(f: BatchFilter, fmt: str, out: IO[bytes], progress: Progress | None = None) -> int:
    """Write the batch to ``out``; returns how many certificates it holds (0: nothing written)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    rows = [tuple(row) for row in session.execute(printable_query(f)).all()]
    total = len(rows)
    if not total:
        return 0
    report = progress or (lambda done, total: None)
    ids = [cert.id for cert, _, _ in rows]
    if fmt == "pdf":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for done, (_cert_id, pdf) in enumerate(_stored_pdfs(ids), 1):
            writer.append(PdfReader(io.BytesIO(pdf)))
            report(done, total)
        writer.add_metadata({"/Title": f"证书批量打印({f.describe()})"})
        writer.write(out)
    else:
        by_id = {cert.id: (cert, staff) for cert, staff, _ in rows}
        with zipfile.ZipFile(out, "w") as archive:
            for done, (cert_id, pdf) in enumerate(_stored_pdfs(ids), 1):
                cert, staff = by_id[cert_id]
                archive.writestr(_file_name(cert, staff), pdf, compress_type=zipfile.ZIP_STORED)
                report(done, total)
            archive.writestr("register.csv", register_csv(rows), compress_type=zipfile.ZIP_DEFLATED)
    return total


def stored_html(f: BatchFilter) -> list[tuple[str, str]]:
    """(serial, the exact HTML rendered at issue) for each certificate of the batch, in order."""
    ids = [cert.id for cert, _, _ in session.execute(printable_query(f)).all()]
    rows = {
        row.id: (row.serial, row.html or "")
        for row in session.execute(
            sa.select(Certificate.id, Certificate.serial, Certificate.html).where(
                Certificate.id.in_(ids)
            )
        )
    }
    return [rows[i] for i in ids]


# --- web batches: a job row and a background thread -----------------------------------------------


def create_batch(f: BatchFilter, fmt: str, actor: Staff) -> CertificateBatch:
    if fmt not in FORMATS:
        raise CertificateRefused(_("未知的输出格式。"))
    total = count(f)
    if not total:
        raise CertificateRefused(_("没有符合条件的证书(%(filter)s)。", filter=f.describe()))
    _purge_old_results()
    batch = CertificateBatch(
        created_by_id=actor.id, params=f.params(), format=fmt, total=total, status="queued"
    )
    session.add(batch)
    session.flush()
    record(
        "certificate.batch",
        actor_id=actor.id,
        target_type="batch",
        target_id=batch.id,
        format=fmt,
        total=total,
        filter=f.describe(),
    )
    session.commit()
    return batch


def _purge_old_results() -> None:
    session.execute(
        sa.update(CertificateBatch)
        .where(CertificateBatch.created_at < utcnow() - KEEP_RESULTS)
        .where(CertificateBatch.result.is_not(None))
        .values(result=None, status="expired")
        .execution_options(synchronize_session=False)
    )


def start_in_background(app: Flask, batch_id: int) -> threading.Thread:
    """Run the batch beside the web server's requests; progress goes to the batch row."""
    thread = threading.Thread(
        target=run_batch, args=(app, batch_id), name=f"lms-cert-batch-{batch_id}", daemon=True
    )
    thread.start()
    return thread


def run_batch(app: Flask, batch_id: int) -> None:
    with app.app_context():
        claimed = session.execute(
            sa.update(CertificateBatch)
            .where(CertificateBatch.id == batch_id, CertificateBatch.status == "queued")
            .values(status="running", updated_at=utcnow())
        ).rowcount
        session.commit()
        if not claimed:
            return
        batch = session.get(CertificateBatch, batch_id)
        f, fmt = BatchFilter.from_params(batch.params), batch.format
        last = 0.0

        def progress(done: int, total: int) -> None:
            # On a connection of its own: committing the session would expire the loaded rows.
            nonlocal last
            now = time.monotonic()
            if done == total or now - last >= 0.25:
                last = now
                with engine().begin() as conn:
                    conn.execute(
                        sa.update(CertificateBatch)
                        .where(CertificateBatch.id == batch_id)
                        .values(done=done, total=total, updated_at=utcnow())
                    )

        try:
            out = io.BytesIO()
            total = build(f, fmt, out, progress)
            result = out.getvalue()
            session.execute(
                sa.update(CertificateBatch)
                .where(CertificateBatch.id == batch_id)
                .values(
                    status="done" if total else "failed",
                    error=None if total else _("没有符合条件的证书。"),
                    result=result if total else None,
                    result_size=len(result) if total else 0,
                    done=total,
                    total=total,
                    updated_at=utcnow(),
                    finished_at=utcnow(),
                )
            )
            session.commit()
        except Exception as exc:  # the job row must say it failed; the log has the traceback
            session.rollback()
            current_app.logger.exception("Certificate batch %s failed", batch_id)
            session.execute(
                sa.update(CertificateBatch)
                .where(CertificateBatch.id == batch_id)
                .values(status="failed", error=str(exc)[:500], finished_at=utcnow())
            )
            session.commit()


def batch_status(batch: CertificateBatch) -> str:
    """The batch's status, treating a running batch that stopped reporting as failed."""
    if batch.status in ("queued", "running") and utcnow() - batch.updated_at > STALE_AFTER:
        return "failed"
    return batch.status


def download_name(batch: CertificateBatch) -> str:
    return f"certificates-{batch.id}.{batch.format}"
