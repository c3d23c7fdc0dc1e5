"""Certificates: issued once on a pass, frozen, rendered with a real CJK font, verifiable, printable.

Rendering uses the real template and font (one FontConfiguration for the whole run); each test
renders only the few certificates it needs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading
import time
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from lms import create_app, days
from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.certificates import dates, serials
from lms.certificates import issue as service
from lms.certificates.batch import neutralise
from lms.certificates.errors import CertificateRefused
from lms.certificates.models import Certificate
from lms.certificates.templates import (
    cff_offset_size,
    folder_fetcher,
    load_template,
    png_sub_rows,
)
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.quizzes import grading
from lms.quizzes.attempts import start_or_resume, submit
from lms.quizzes.models import Attempt
from tests.conftest import PROJECT, login

TEMPLATES = PROJECT / "certificates"


@pytest.fixture
def certs(app):
    app.config.update(
        LMS_CERT_TEMPLATES_DIR=str(TEMPLATES),
        LMS_CERT_BASE_URL="https://lms.example.cn",
        LMS_CERT_SIGNATORY_NAME="李华",
    )
    return app


def _course() -> Course:
    return session.scalar(sa.select(Course).where(Course.slug == "basics"))


def _answer_everything_right(attempt: Attempt) -> None:
    for response in attempt.responses:
        response.answer = grading.correct_answer(response.question_version.data)
    session.commit()


def pass_quiz(app, staff: Staff) -> Certificate | None:
    """Take and pass the fixture course's quiz through the quiz engine; the certificate it earned."""
    with app.test_request_context():
        person = session.get(Staff, staff.id)
        attempt = start_or_resume(person, _course())
        _answer_everything_right(attempt)
        attempt = submit(attempt)
        assert attempt.passed
        cert = service._latest_current(person.id, attempt.course_id)
        if cert is not None:
            session.expunge(cert)
        return cert


def pass_through_routes(app, client) -> int:
    response = client.post("/lms/courses/basics/quiz")
    attempt_id = int(re.search(r"/attempts/(\d+)", response.location).group(1))
    with app.app_context():
        _answer_everything_right(session.get(Attempt, attempt_id))
    response = client.post(f"/lms/attempts/{attempt_id}/submit")
    assert response.status_code == 302
    return attempt_id


def load(app, cert_id: int) -> Certificate:
    with app.app_context():
        cert = session.get(Certificate, cert_id)
        _ = cert.pdf, cert.html  # deferred columns
        session.expunge(cert)
        return cert


def pdf_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    """Letter-spacing makes text extraction insert spaces; compare without whitespace."""
    return "".join(text.split())


def embedded_fonts(pdf: bytes) -> dict[str, bytes]:
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            for key in ("/FontFile2", "/FontFile3"):
                if key in descriptor:
                    fonts[str(font["/BaseFont"])] = descriptor[key].get_object().get_data()
    return fonts


# --- serials ------------------------------------------------------------------------------------


def test_serials_are_readable_and_tolerate_case_dashes_and_lookalikes():
    for _ in range(300):
        serial = serials.new_serial()
        assert re.fullmatch(
            r"MLC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]", serial
        )
        assert serials.normalise(serial) == serial
        assert serials.normalise(serial.lower().replace("-", "")) == serial
        assert serials.normalise(" " + serial[4:].replace("-", " ") + " ") == serial
    payload = "0123ABCD"
    serial = serials.format_serial("MLC", payload, serials.check_character(payload))
    if serial[-1] in serials.ALPHABET:  # the check of this fixed payload is a plain character
        assert serials.normalise("mlc-oi23-abcd-" + serial[-1].lower()) == serial
        assert serials.normalise("MLC-Ol23ABCD" + serial[-1]) == serial


def test_every_single_typo_and_neighbour_swap_is_detected():
    for _ in range(20):
        serial = serials.new_serial()
        compact = serial[4:].replace("-", "")
        for i, original in enumerate(compact):
            for replacement in serials.ALPHABET:
                if replacement == original:
                    continue
                typo = compact[:i] + replacement + compact[i + 1 :]
                with pytest.raises(serials.SerialInvalid) as caught:
                    serials.normalise(typo)
                assert caught.value.reason == "mistyped"
        for i in range(len(compact) - 1):
            if compact[i] != compact[i + 1]:
                swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
                with pytest.raises(serials.SerialInvalid):
                    serials.normalise(swapped)
    for junk in ("", "MLC", "MLC-1234-5678", "MLC-1234-5678-90", "MLC-!!!!-5678-9", "U" * 9):
        with pytest.raises(serials.SerialInvalid) as caught:
            serials.normalise(junk)
        assert caught.value.reason == "malformed"


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 24, date(2028, 11, 30)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_adding_months_lands_on_the_last_day_of_a_shorter_month(start, months, expected):
    assert dates.add_months(start, months) == expected


def test_a_course_without_validity_never_expires():
    assert dates.expiry(date(2026, 1, 31), 0) is None
    assert dates.expiry(date(2026, 1, 31), 13) == date(2027, 2, 28)


# --- issuing ------------------------------------------------------------------------------------


@pytest.mark.real_pdf
def test_passing_issues_one_frozen_certificate_with_the_name_serial_and_a_cjk_font(
    certs, make_staff
):
    app = certs
    me = make_staff(name="王小明", department="门诊服务中心")
    other = make_staff()
    hr = make_staff(("hr",))
    client = app.test_client()
    login(client, me)
    attempt_id = pass_through_routes(app, client)

    with app.app_context():
        cert = session.scalar(sa.select(Certificate).where(Certificate.staff_id == me.id))
        cert_id, serial = cert.id, cert.serial
        today = days.today()
        assert serials.normalise(serial) == serial
        assert (cert.cycle, cert.version, cert.attempt_id) == (1, 1, attempt_id)
        assert cert.issued_on == today
        assert cert.expires_on == dates.add_months(today, 12)  # the fixture course: 12 months
        assert cert.snapshot["name"] == "王小明"
        assert cert.snapshot["course_title"] == "服务基础"
        assert cert.snapshot["verify_url"] == f"https://lms.example.cn/lms/verify/{serial}"
        assert cert.template == "default" and cert.template_version.startswith("1-")
        versions = cert.content_versions
        assert versions["attempt_id"] == attempt_id and versions["score"] == 100.0
        assert [lesson["slug"] for lesson in versions["lessons"]] == ["greeting", "phone"]
        assert len(versions["questions"]) == 3
        assert all(q["key"].startswith("bas-") and q["version"] >= 1 for q in versions["questions"])
        audit = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "certificate.issue")
        )
        assert audit.target_id == serial

    cert = load(app, cert_id)
    assert hashlib.sha256(cert.pdf).hexdigest() == cert.sha256
    (text,) = pdf_texts(cert.pdf)
    assert "王小明" in squeeze(text) and serial in text and "服务基础" in text
    assert f"https://lms.example.cn/lms/verify/{serial}" in text
    page = PdfReader(io.BytesIO(cert.pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    fonts = embedded_fonts(cert.pdf)
    assert any("Noto-Serif-CJK-SC-Bold" in name for name in fonts), fonts.keys()
    assert any(name.endswith("Noto-Serif-CJK-SC") for name in fonts), fonts.keys()
    for data in fonts.values():  # the compacted streams decode to a valid font
        font = TTFont(io.BytesIO(data))
        assert len(font["CFF "].cff.topDictIndex[0].CharStrings) > 1
    assert len(cert.pdf) < 100_000

    # The learner sees and downloads it; others may not; HR may.
    assert serial in client.get("/lms/certificates/mine").get_data(as_text=True)
    assert serial in client.get("/lms/courses/basics/").get_data(as_text=True)
    response = client.get(f"/lms/certificates/{cert_id}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == cert.pdf
    response.close()
    stranger = app.test_client()
    login(stranger, other)
    assert stranger.get(f"/lms/certificates/{cert_id}/download").status_code == 403
    hr_client = app.test_client()
    login(hr_client, hr)
    response = hr_client.get(f"/lms/certificates/{cert_id}/download")
    assert response.status_code == 200 and response.data == cert.pdf
    response.close()


def test_passing_again_returns_the_certificate_already_held(certs, make_staff):
    me = make_staff(name="陈一")
    first = pass_quiz(certs, me)
    second = pass_quiz(certs, me)
    assert first is not None and second.id == first.id
    with certs.app_context():
        assert session.scalar(sa.select(sa.func.count(Certificate.id))) == 1
        # The pure path: issuing for a passed attempt again returns the same row.
        attempt = session.scalars(sa.select(Attempt).where(Attempt.passed.is_(True))).first()
        staff = session.get(Staff, me.id)
        assert service.issue(staff, _course(), attempt).id == first.id


def test_concurrent_passes_issue_exactly_one_certificate(certs, make_staff, monkeypatch):
    app = certs
    me = make_staff(name="并发测试")
    threads_count = 3
    with app.app_context():
        course_id = _course().id
        attempt_ids = []
        for _ in range(threads_count):
            attempt = Attempt(
                staff_id=me.id,
                course_id=course_id,
                seed=1,
                status="graded",
                passed=True,
                score=100.0,
                graded_at=utcnow(),
            )
            session.add(attempt)
            session.flush()
            attempt_ids.append(attempt.id)
        session.commit()

    # Every thread reads "no certificate yet" and renders before any of them inserts: the race
    # is then decided by the unique constraint alone.
    barrier = threading.Barrier(threads_count)
    original = service.render_certificate

    def render_then_wait(**kwargs):
        rendered = original(**kwargs)
        barrier.wait(timeout=60)
        return rendered

    monkeypatch.setattr(service, "render_certificate", render_then_wait)
    results: list[int] = []
    errors: list[BaseException] = []

    def pass_at_once(attempt_id: int) -> None:
        try:
            with app.app_context():
                cert = service.issue(
                    session.get(Staff, me.id),
                    session.get(Course, course_id),
                    session.get(Attempt, attempt_id),
                )
                results.append(cert.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=pass_at_once, args=(a,)) for a in attempt_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == threads_count and len(set(results)) == 1
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Certificate.id))) == 1
        issued = sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.action == "certificate.issue"
        )
        assert session.scalar(issued) == 1


def test_a_pass_near_expiry_starts_a_new_cycle(certs, make_staff):
    me = make_staff(name="周期")
    first = pass_quiz(certs, me)
    with certs.app_context():
        row = session.get(Certificate, first.id)
        row.expires_on = service.today() + timedelta(days=10)  # inside the 60-day renewal window
        session.commit()
    second = pass_quiz(certs, me)
    assert second.id != first.id and (second.cycle, second.version) == (2, 1)
    with certs.app_context():
        assert service.status_of(session.get(Certificate, first.id)) == "valid"


# --- verification, revocation, reissue ---------------------------------------------------------


def _verify(client, serial: str):
    response = client.get(f"/lms/verify/{serial}")
    return response.status_code, response.get_data(as_text=True)


def test_verification_answers_every_state_and_shows_only_name_course_and_dates(certs, make_staff):
    app = certs
    me = make_staff(name="林晓", department="秘密部门", employee_no="SECRET-42")
    hr = make_staff(("hr",))
    cert = pass_quiz(app, me)
    public = app.test_client()  # nobody logged in

    status, page = _verify(public, cert.serial)
    assert status == 200 and "有效" in page and "林晓" in page and "服务基础" in page
    assert str(cert.issued_on) in page and str(cert.expires_on) in page
    assert "SECRET-42" not in page and "秘密部门" not in page
    assert _verify(public, cert.serial.lower().replace("-", ""))[0] == 200
    response = public.get("/lms/verify/?serial=" + cert.serial.lower())
    assert response.status_code == 302 and response.location.endswith(
        f"/verify/{cert.serial.lower()}"
    )

    with app.app_context():
        session.get(Certificate, cert.id).expires_on = service.today() - timedelta(days=1)
        session.commit()
    assert "已过期" in _verify(public, cert.serial)[1]
    with app.app_context():
        session.get(Certificate, cert.id).expires_on = cert.expires_on
        session.commit()

    client = app.test_client()
    login(client, hr)
    response = client.post(
        f"/lms/certificates/{cert.id}/reissue", data={"reissue-reason": "姓名更正"}
    )
    new_id = int(re.search(r"/certificates/(\d+)$", response.location).group(1))
    new = load(app, new_id)
    assert "已被新版本取代" in _verify(public, cert.serial)[1]
    assert "有效" in _verify(public, new.serial)[1]

    client.post(f"/lms/certificates/{new_id}/revoke", data={"revoke-reason": "考试作弊"})
    status, page = _verify(public, new.serial)
    assert status == 200 and "已撤销" in page and "考试作弊" not in page

    unknown = serials.new_serial()
    status, page = _verify(public, unknown)
    assert status == 404 and "没有找到" in page
    mistyped = new.serial[:-1] + next(c for c in serials.ALPHABET if c != new.serial[-1])
    status, page = _verify(public, mistyped)
    assert status == 404 and "校验位" in page and "林晓" not in page
    status, page = _verify(public, "not-a-serial")
    assert status == 404 and "格式" in page


def test_revocation_needs_a_reason_is_audited_and_a_later_pass_earns_a_new_certificate(
    certs, make_staff
):
    app = certs
    me = make_staff(name="赵六")
    hr = make_staff(("hr",))
    cert = pass_quiz(app, me)
    learner = app.test_client()
    login(learner, me)
    assert (
        learner.post(f"/lms/certificates/{cert.id}/revoke", data={"revoke-reason": "x"}).status_code
        == 403
    )

    client = app.test_client()
    login(client, hr)
    assert (
        client.post(f"/lms/certificates/{cert.id}/revoke", data={"revoke-reason": " "}).status_code
        == 400
    )
    with app.app_context():
        assert session.get(Certificate, cert.id).revoked_at is None
    response = client.post(
        f"/lms/certificates/{cert.id}/revoke", data={"revoke-reason": "证书信息有误"}
    )
    assert response.status_code == 302
    with app.app_context():
        row = session.get(Certificate, cert.id)
        assert row.revoked_at is not None and row.revoke_reason == "证书信息有误"
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "certificate.revoke")
        )
        assert entry.actor_id == hr.id and entry.target_id == cert.serial
        assert entry.details["reason"] == "证书信息有误"
    assert (
        client.post(
            f"/lms/certificates/{cert.id}/revoke", data={"revoke-reason": "再来"}
        ).status_code
        == 409
    )
    assert learner.get(f"/lms/certificates/{cert.id}/download").status_code == 410

    # Claiming with the revoked pass is refused; a new pass earns a new cycle.
    response = learner.post("/lms/certificates/claim/basics", follow_redirects=True)
    assert "撤销" in response.get_data(as_text=True)
    again = pass_quiz(app, me)
    assert again.id != cert.id and again.cycle == 2


@pytest.mark.real_pdf
def test_reissue_makes_a_new_version_and_never_touches_the_issued_pdf(certs, make_staff, tmp_path):
    app = certs
    template_dir = tmp_path / "certificates"
    import shutil

    shutil.copytree(TEMPLATES, template_dir)
    app.config["LMS_CERT_TEMPLATES_DIR"] = str(template_dir)
    me = make_staff(name="钱旧名")
    hr = make_staff(("hr",))
    cert = load(app, pass_quiz(app, me).id)

    with app.app_context():
        session.get(Staff, me.id).name = "钱新名"
        session.commit()
    theme = template_dir / "default" / "theme.css"
    theme.write_text(theme.read_text(encoding="utf-8") + "\n.holder { color: #000; }\n")
    logo = tmp_path / "logo.svg"  # outside the template folder: passed in as a data: URL
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    )
    app.config["LMS_CERT_LOGO"] = str(logo)

    client = app.test_client()
    login(client, hr)
    assert client.post(f"/lms/certificates/{cert.id}/reissue", data={}).status_code == 400
    response = client.post(
        f"/lms/certificates/{cert.id}/reissue", data={"reissue-reason": "姓名更正"}
    )
    assert response.status_code == 302
    new = load(app, int(response.location.rsplit("/", 1)[1]))
    old = load(app, cert.id)

    assert old.pdf == cert.pdf and old.sha256 == cert.sha256 == hashlib.sha256(old.pdf).hexdigest()
    assert "钱旧名" in squeeze(pdf_texts(old.pdf)[0])
    assert old.superseded_by_id == new.id and old.snapshot["name"] == "钱旧名"
    assert (new.version, new.cycle, new.serial != old.serial) == (2, 1, True)
    assert (new.issued_on, new.expires_on) == (old.issued_on, old.expires_on)
    assert new.content_versions == old.content_versions
    assert new.template_version != old.template_version
    assert new.snapshot["name"] == "钱新名" and "钱新名" in squeeze(pdf_texts(new.pdf)[0])
    assert old.snapshot["logo_sha256"] == ""
    assert new.snapshot["logo_sha256"] == hashlib.sha256(logo.read_bytes()).hexdigest()
    assert "data:image/svg+xml;base64," in new.html and "seal.svg" not in new.html
    with app.app_context():
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "certificate.reissue")
        )
        assert entry.target_id == old.serial and entry.details["new_serial"] == new.serial
        assert entry.details["reason"] == "姓名更正" and entry.actor_id == hr.id
    again = client.post(f"/lms/certificates/{old.id}/reissue", data={"reissue-reason": "再补"})
    assert again.status_code == 409
    page = client.get(f"/lms/certificates/{new.id}").get_data(as_text=True)
    assert old.serial in page and new.serial in page


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("王&李", "王&amp;李"),
    ],
)
@pytest.mark.real_pdf
def test_names_are_escaped_and_print_as_typed(certs, make_staff, name, escaped):
    me = make_staff(name=name)
    cert = load(certs, pass_quiz(certs, me).id)
    assert escaped in cert.html and name not in cert.html
    assert squeeze(name) in squeeze(pdf_texts(cert.pdf)[0])
    assert cert.snapshot["name"] == name


def test_a_character_the_font_cannot_draw_is_refused_with_a_clear_message(certs, make_staff):
    app = certs
    me = make_staff(name="王\U00013000")  # an Egyptian hieroglyph: no CJK font has it
    assert pass_quiz(app, me) is None, "no certificate with an empty box"
    client = app.test_client()
    login(client, me)
    page = client.get("/lms/certificates/mine").get_data(as_text=True)
    assert "领取证书" in page and "服务基础" in page
    page = client.post("/lms/certificates/claim/basics", follow_redirects=True).get_data(
        as_text=True
    )
    assert "U+13000" in page and "没有字形" in page
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Certificate.id))) == 0
        session.get(Staff, me.id).name = "王一"
        session.commit()
    page = client.post("/lms/certificates/claim/basics", follow_redirects=True).get_data(
        as_text=True
    )
    assert "证书已签发" in page


def test_a_missing_font_is_reported_at_start_up_with_how_to_install_it(tmp_path, caplog):
    folder = tmp_path / "certificates" / "default"
    folder.mkdir(parents=True)
    for name in ("template.html", "theme.css"):
        (folder / name).write_text((TEMPLATES / "default" / name).read_text(encoding="utf-8"))
    (folder / "metadata.yaml").write_text("version: 1\nfont: No Such CJK Font 2049\n")
    with caplog.at_level("WARNING"):
        app = create_app(
            {
                "CONFIG_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "LMS_CONTENT_DIR": str(tmp_path),
            }
        )
    assert any(
        "No Such CJK Font 2049" in r.getMessage() and "fonts-noto-cjk" in r.getMessage()
        for r in caplog.records
    )
    with app.app_context():
        template = load_template("default", tmp_path / "certificates")
        with pytest.raises(CertificateRefused, match="apt-get install fonts-noto-cjk"):
            service.check_printable(template, {"姓名": "王一"})
        app.extensions["lms"].db.engine.dispose()


def test_the_url_fetcher_reads_only_the_template_folder():
    folder = TEMPLATES / "default"
    fetcher = folder_fetcher(folder)
    response = fetcher((folder / "seal.svg").as_uri())
    assert response.content_type == "image/svg+xml" and b"<svg" in response.read()
    response.close()
    assert fetcher("data:text/plain,hello").read() == b"hello"
    for url in (
        "file:///etc/passwd",
        (folder / ".." / ".." / "README.md").as_uri(),
        folder.as_uri() + "/../../README.md",
        "http://127.0.0.1:9/logo.png",
        "https://example.com/logo.png",
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError):
            fetcher(url)


def test_the_font_stream_predictor_is_lossless():
    from pypdf.filters import FlateDecode
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    original = bytes(range(256)) * 37 + bytes((i * 7) % 256 for i in range(3001))
    for pixel in (2, 3, 4):
        filtered = png_sub_rows(original, pixel, 100)
        parms = DictionaryObject(
            {
                NameObject("/Predictor"): NumberObject(11),
                NameObject("/Colors"): NumberObject(pixel),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Columns"): NumberObject(100),
            }
        )
        import zlib

        decoded = FlateDecode.decode(zlib.compress(filtered), parms)
        assert decoded[: len(original)] == original and not decoded[len(original) :].strip(b"\0")
    assert cff_offset_size(b"not a font") is None


# --- batches ------------------------------------------------------------------------------------


def _issue_for_batch(app, make_staff) -> list[Certificate]:
    people = [
        make_staff(name="甲一", department="前台"),
        make_staff(name="=HYPERLINK(1)", department="前台"),
        make_staff(name="丙三", department="后勤"),
    ]
    return [pass_quiz(app, person) for person in people]


def _wait_for_batch(client, batch_id: int) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(f"/lms/certificates/batches/{batch_id}/status").get_json()
        if state["status"] not in ("queued", "running"):
            return state
        time.sleep(0.05)
    raise AssertionError("the batch did not finish")


@pytest.mark.real_pdf
def test_the_cli_and_the_web_batch_print_the_same_pages_and_hr_filters_them(
    certs, make_staff, tmp_path
):
    app = certs
    issued = _issue_for_batch(app, make_staff)
    runner = app.test_cli_runner()

    out = tmp_path / "all.pdf"
    html = tmp_path / "all.html"
    result = runner.invoke(
        args=["lms", "certificates", "print", "--out", str(out), "--html", str(html)]
    )
    assert result.exit_code == 0, result.output
    cli_pages = pdf_texts(out.read_bytes())
    assert len(cli_pages) == 3
    for cert in issued:
        assert sum(cert.serial in text for text in cli_pages) == 1
        written = (tmp_path / f"all-{cert.serial}.html").read_text(encoding="utf-8")
        assert written == load(app, cert.id).html

    hr = make_staff(("hr",))
    client = app.test_client()
    login(client, hr)
    response = client.post("/lms/certificates/batches", data={"batch-format": "pdf"})
    assert response.status_code == 302, response.get_data(as_text=True)
    batch_id = int(response.location.rsplit("/", 1)[1])
    assert "lms-cert-batch.js" in client.get(response.location).get_data(as_text=True)
    state = _wait_for_batch(client, batch_id)
    assert state["status"] == "done" and state["done"] == state["total"] == 3, state
    response = client.get(state["download_url"])
    web_pages = pdf_texts(response.data)
    response.close()
    assert web_pages == cli_pages

    # A filter: one department, as a ZIP with the register.
    zipped = tmp_path / "front.zip"
    args = ["lms", "certificates", "print", "--department", "前台", "--out", str(zipped)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
        assert len([n for n in names if n.endswith(".pdf")]) == 2 and "register.csv" in names
        register = list(csv.reader(io.StringIO(archive.read("register.csv").decode("utf-8-sig"))))
        stored = {cert.serial: load(app, cert.id).pdf for cert in issued}
        for name in names:
            if name.endswith(".pdf"):
                assert archive.read(name) == stored[name.split("_", 1)[0]]
    assert register[0] == ["证书编号", "姓名", "部门", "课程", "发证日期", "有效期至", "状态"]
    assert sorted(row[1] for row in register[1:]) == ["'=HYPERLINK(1)", "甲一"]
    assert {row[2] for row in register[1:]} == {"前台"} and {row[6] for row in register[1:]} == {
        "有效"
    }

    # The web ZIP holds the same files.
    response = client.post(
        "/lms/certificates/batches", data={"batch-format": "zip", "batch-department": "前台"}
    )
    state = _wait_for_batch(client, int(response.location.rsplit("/", 1)[1]))
    response = client.get(state["download_url"])
    with zipfile.ZipFile(io.BytesIO(response.data)) as web_zip, zipfile.ZipFile(zipped) as cli_zip:
        assert web_zip.namelist() == cli_zip.namelist()
        assert all(web_zip.read(n) == cli_zip.read(n) for n in web_zip.namelist())
    response.close()

    # Nothing matches: a clear error, no file.
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    empty = tmp_path / "none.pdf"
    args = ["lms", "certificates", "print", "--issued-from", tomorrow, "--out", str(empty)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "No certificates match" in result.output
    assert not empty.exists() and not list(tmp_path.glob(".none.pdf.*"))
    bad = runner.invoke(args=["lms", "certificates", "print", "--out", str(tmp_path / "x.doc")])
    assert bad.exit_code != 0

    # HR's list filters the same certificates; learners may not see it.
    page = client.get("/lms/certificates/?department=后勤").get_data(as_text=True)
    assert issued[2].serial in page and issued[0].serial not in page
    page = client.get(f"/lms/certificates/?q={issued[0].serial.lower()}").get_data(as_text=True)
    assert issued[0].serial in page and issued[2].serial not in page
    page = client.get("/lms/certificates/?status=revoked").get_data(as_text=True)
    assert not any(cert.serial in page for cert in issued)
    learner = app.test_client()
    login(learner, make_staff())
    assert learner.get("/lms/certificates/").status_code == 403
    assert learner.get(f"/lms/certificates/{issued[0].id}/download").status_code == 403


def test_csv_cells_that_look_like_formulas_are_neutralised():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "王&李", None)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "王&李",
        "",
    ]


def test_templates_version_changes_with_any_file(tmp_path):
    import shutil

    shutil.copytree(TEMPLATES, tmp_path / "certificates")
    before = load_template("default", tmp_path / "certificates").version
    (tmp_path / "certificates" / "default" / "seal.svg").write_text("<svg/>")
    assert load_template("default", tmp_path / "certificates").version != before
    with pytest.raises(CertificateRefused):
        load_template("../etc", tmp_path / "certificates")
    with pytest.raises(CertificateRefused):
        load_template("missing", tmp_path / "certificates")


def test_certificate_pages_need_the_right_people(certs, make_staff):
    app = certs
    learner = make_staff()
    client = app.test_client()
    login(client, learner)
    assert client.get("/lms/certificates/mine").status_code == 200
    assert "还没有证书" in client.get("/lms/certificates/mine").get_data(as_text=True)
    assert client.get("/lms/certificates/batches/1").status_code == 403
    assert client.post("/lms/certificates/batches", data={"batch-format": "pdf"}).status_code == 403


def test_a_batch_whose_process_died_shows_as_failed(app, make_staff):
    from lms.certificates.models import CertificateBatch

    with app.app_context():
        job = CertificateBatch(format="pdf", status="running", total=5, done=2)
        job.updated_at = utcnow() - timedelta(hours=1)
        session.add(job)
        session.commit()
        job_id = job.id
    client = app.test_client()
    login(client, make_staff(("hr",)))
    state = client.get(f"/lms/certificates/batches/{job_id}/status").get_json()
    assert state["status"] == "failed" and "重新发起" in state["error"]
    assert state["download_url"] is None
    assert client.get(f"/lms/certificates/batches/{job_id}/download").status_code == 404


def test_a_forged_host_header_never_reaches_a_certificate(certs, make_staff):
    """Issue 17 item 3: without LMS_CERT_BASE_URL the request host is used only when allowed."""
    certs.config.update(LMS_CERT_BASE_URL=None, LMS_CERT_ALLOWED_HOSTS=["lms.hospital.cn"])
    with certs.test_request_context(base_url="http://evil.example"):
        with pytest.raises(service.CertificateRefused, match="LMS_CERT_BASE_URL"):
            service.verify_url("MLC-0000-0000-0")
    with certs.test_request_context(base_url="https://lms.hospital.cn:8443"):
        assert service.verify_url("MLC-0000-0000-0").startswith("https://lms.hospital.cn:8443/")
    certs.config.update(LMS_CERT_ALLOWED_HOSTS=[], SERVER_NAME="portal.bank.cn")
    with certs.test_request_context(base_url="http://portal.bank.cn"):
        assert service.verify_url("S").startswith("http://portal.bank.cn/")
    staff = make_staff()
    with certs.test_request_context(base_url="http://evil.example"):
        person = session.get(Staff, staff.id)
        attempt = start_or_resume(person, _course())
        _answer_everything_right(attempt)
        attempt = submit(attempt)
        assert attempt.passed  # the grade stands; no certificate carries the forged address
    with certs.app_context():
        urls = [c.snapshot["verify_url"] for c in session.scalars(sa.select(Certificate))]
        assert not any("evil.example" in url for url in urls)


@pytest.mark.parametrize(
    "host, allowed, expected",
    [
        ("lms.cn", ["lms.cn"], True),
        ("lms.cn:8443", ["lms.cn"], True),
        ("lms.cn:8443", ["lms.cn:443"], False),
        ("LMS.CN", ["lms.cn"], True),
        ("evil.example", ["lms.cn"], False),
        ("lms.cn.evil.example", ["lms.cn"], False),
        ("[::1]:5000", ["[::1]"], True),
        ("", [], False),
    ],
)
def test_host_allow_list_matching(host, allowed, expected):
    assert service.host_allowed(host, allowed) is expected


def test_the_quiz_engine_announces_grades_and_refusals_reach_hr(certs, make_staff):
    """Issue 11: the quiz engine knows no certificates; a failure to issue is shown to HR."""
    import ast

    source = (PROJECT / "lms" / "quizzes" / "attempts.py").read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not any(m.startswith("lms.certificates") for m in imported)

    certs.config.update(LMS_CERT_BASE_URL=None)  # outside a request: the address is unknown
    staff = make_staff(name="赵敏")
    assert pass_quiz(certs, staff) is None
    hr = certs.test_client()
    login(hr, make_staff(("hr",)))
    page = hr.get("/lms/certificates/").get_data(as_text=True)
    assert "证书未能签发" in page and "赵敏" in page and "LMS_CERT_BASE_URL" in page
    certs.config.update(LMS_CERT_BASE_URL="https://lms.example.cn")
    learner = certs.test_client()
    login(learner, staff)
    claimed = learner.post("/lms/certificates/claim/basics")
    assert claimed.status_code == 302
    assert "证书未能签发" not in hr.get("/lms/certificates/").get_data(as_text=True)
