"""Invitations, activation slips, activation and password resets (issue #14, part 1)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.auth.password_rules import common_passwords, problems
from lms.db import session, utcnow
from lms.invitations import delivery, service
from lms.invitations.models import Invitation
from tests.conftest import PASSWORD, login
from tests.test_plan_reminders import inbox  # noqa: F401 - the local SMTP server fixture

NEW_PASSWORD = "lantern-river-42"
LINK = re.compile(r"https://lms\.example\.org(/lms/activate/\S+)")
CSV = (
    "工号,姓名,部门,邮箱\n"
    "N001,李明,住院服务部,\n"
    "N002,王芳,门诊部,wangfang@example.org\n"
    "N003,赵雷,门诊部,\n"
)


@pytest.fixture
def site(app):
    app.config["LMS_PLAN_SITE_URL"] = "https://lms.example.org"
    return app


@dataclass
class Slip:
    employee_no: str
    token: str
    code: str


@pytest.fixture
def captured(monkeypatch):
    """The invitations each slips PDF was made of (their tokens are only in the QR codes)."""
    seen: list[list[Slip]] = []
    original = delivery.slips_pdf

    def keep(issued):
        seen.append([Slip(i.staff.employee_no, i.token, i.code) for i in issued])
        return original(issued)

    monkeypatch.setattr(delivery, "slips_pdf", keep)
    return seen


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def imported(runner, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["lms", "import-staff", str(path)])
    assert result.exit_code == 0, result.output


def test_import_invite_slips_then_activate_once(site, runner, client, tmp_path, captured):
    """The issue's Done-when: three imported people, one slips PDF, one token taken through."""
    imported(runner, tmp_path)
    out = tmp_path / "slips.pdf"
    result = runner.invoke(args=["lms", "invite", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 slip(s)" in result.output
    text = pdf_text(out.read_bytes())
    for name in ("李明", "王芳", "赵雷"):
        assert name in text
    for no in ("N001", "N002", "N003"):
        assert no in text
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 1  # eight to a page
    token = next(i.token for i in captured[0] if i.employee_no == "N002")
    page = client.get(f"/lms/activate/{token}")
    assert page.status_code == 200 and "王芳" in page.get_data(as_text=True)
    response = client.post(
        f"/lms/activate/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.location == "/lms/"
    assert "王芳" in client.get("/lms/").get_data(as_text=True)  # logged in, on the plan
    client.post("/lms/logout", data={})
    again = client.get(f"/lms/activate/{token}")
    assert again.status_code == 410 and "已经用过" in again.get_data(as_text=True)
    refused = client.post(
        f"/lms/activate/{token}", data={"password": "another-good-pw", "confirm": "another-good-pw"}
    )
    assert refused.status_code == 410
    fresh = site.test_client()
    ok = fresh.post("/lms/login", data={"employee_no": "N002", "password": NEW_PASSWORD})
    assert ok.status_code == 302
    with site.app_context():
        actions = list(session.scalars(sa.select(AuditEntry.action)))
        assert actions.count("invitation.create") == 3
        assert "invitation.print" in actions and "staff.activated" in actions
        row = session.scalar(sa.select(Invitation).limit(1))
        assert token not in (row.token_hash, row.code_hash) and len(row.token_hash) == 64


def test_the_printed_code_activates_at_activate(site, runner, client, tmp_path):
    imported(runner, tmp_path)
    out = tmp_path / "slips.pdf"
    runner.invoke(args=["lms", "invite", "--employee-no", "N001", "--out", str(out)])
    text = pdf_text(out.read_bytes())
    code = re.search(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", text).group(0)
    form = {"employee_no": "N001", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    wrong = client.post("/lms/activate", data=form | {"code": "2222-2222"})
    assert wrong.status_code == 400 and "激活码不正确" in wrong.get_data(as_text=True)
    other = client.post("/lms/activate", data=form | {"employee_no": "N003", "code": code})
    assert other.status_code == 400  # a code belongs to one person
    typed = code.lower().replace("-", " ")  # typed by hand, lower case, with a space
    response = client.post("/lms/activate", data=form | {"code": typed})
    assert response.status_code == 302 and response.location == "/lms/"
    second = client.post("/lms/activate", data=form | {"code": code})
    assert second.status_code == 410


def test_wrong_codes_are_throttled_like_logins(site, runner, client, tmp_path):
    imported(runner, tmp_path)
    form = {"employee_no": "N001", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    statuses = [
        client.post("/lms/activate", data=form | {"code": "2222-222" + str(n)}).status_code
        for n in range(2, 9)
    ]
    assert statuses[:5] == [400] * 5 and 429 in statuses


def test_new_invitation_revokes_old_and_expiry_and_revoke(
    site, app, runner, client, tmp_path, captured
):
    imported(runner, tmp_path)
    out = tmp_path / "a.pdf"
    runner.invoke(args=["lms", "invite", "--employee-no", "N001", "--out", str(out)])
    runner.invoke(args=["lms", "invite", "--employee-no", "N001", "--out", str(out)])
    first, second = captured[0][0].token, captured[1][0].token
    page = client.get(f"/lms/activate/{first}")
    assert page.status_code == 410 and "作废" in page.get_data(as_text=True)
    assert client.get(f"/lms/activate/{second}").status_code == 200
    with app.app_context():
        row = session.scalar(sa.select(Invitation).where(Invitation.revoked_at.is_(None)))
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.commit()
    expired = client.get(f"/lms/activate/{second}")
    assert expired.status_code == 410 and "过期" in expired.get_data(as_text=True)
    assert client.get("/lms/activate/not-a-token").status_code == 404
    assert client.get("/lms/activate/" + "x" * 500).status_code == 404
    runner.invoke(args=["lms", "invite", "--employee-no", "N001", "--out", str(out)])
    third = captured[2][0].token
    with app.app_context():
        person = session.scalar(sa.select(Staff).where(Staff.employee_no == "N001"))
        assert service.revoke(person, actor_id=None) == 1
        session.commit()
    assert client.get(f"/lms/activate/{third}").status_code == 410


def test_activation_applies_the_password_rule(site, runner, client, tmp_path, captured):
    imported(runner, tmp_path)
    runner.invoke(args=["lms", "invite", "--employee-no", "N001", "--out", str(tmp_path / "s.pdf")])
    token = captured[0][0].token
    for bad in ("short", "N001-and-more", "password1234", "1234567890"):
        response = client.post(f"/lms/activate/{token}", data={"password": bad, "confirm": bad})
        assert response.status_code == 400, bad
    mismatch = client.post(
        f"/lms/activate/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    )
    assert mismatch.status_code == 400
    assert client.get(f"/lms/activate/{token}").status_code == 200  # still unused


def test_password_rule_is_pure():
    assert problems(NEW_PASSWORD, employee_no="N001", name="李明") == []
    assert problems("short", employee_no="N001")
    assert problems("my-n001-secret", employee_no="N001")  # the number, in any case
    assert problems("limingsecret1", employee_no="X9", name="Li Ming")  # the name
    assert problems("Password123", employee_no="X9")  # common
    assert problems("aaaaaaaaaaaa", employee_no="X9")
    assert problems("x" * 201, employee_no="X9")
    assert len(common_passwords()) > 3000


def test_invite_refuses_host_accounts_inactive_and_nobody(site, app, runner, tmp_path):
    imported(runner, tmp_path)
    with app.app_context():
        host = session.scalar(sa.select(Staff).where(Staff.employee_no == "N003"))
        host.source = "host"
        session.commit()
    out = tmp_path / "s.pdf"
    result = runner.invoke(args=["lms", "invite", "--employee-no", "N003", "--out", str(out)])
    assert result.exit_code != 0 and "主系统" in result.output
    result = runner.invoke(args=["lms", "invite", "--employee-no", "NOPE", "--out", str(out)])
    assert result.exit_code != 0 and "NOPE" in result.output
    result = runner.invoke(args=["lms", "invite", "--department", "门诊部"])
    assert result.exit_code != 0 and "--out" in result.output  # N002 needs a slip
    result = runner.invoke(args=["lms", "invite", "--department", "门诊部", "--out", str(out)])
    assert result.exit_code == 0 and "Wrote 1 slip(s)" in result.output  # N003 is the host's


def test_invite_by_email_through_smtp(site, runner, client, tmp_path, inbox):  # noqa: F811
    imported(runner, tmp_path)
    out = tmp_path / "rest.pdf"
    result = runner.invoke(args=["lms", "invite", "--email", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "E-mailed 1 invitation(s)" in result.output and "Wrote 2 slip(s)" in result.output
    (message,) = inbox.to("wangfang@example.org")
    body = message.get_content()
    link = LINK.search(body).group(1)
    assert "王芳" not in pdf_text(out.read_bytes())
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302


def test_hr_prints_slips_from_the_staff_list(site, make_staff, client, runner, tmp_path):
    imported(runner, tmp_path)
    hr = make_staff(roles=("hr",))
    admin = make_staff(roles=("admin",), employee_no="A900")
    login(client, hr)
    listing = client.get("/lms/staff/").get_data(as_text=True)
    assert "未邀请" in listing and 'name="employee_no" value="N001"' in listing
    response = client.post(
        "/lms/staff/invitations",
        data={"employee_no": ["N001", "N003", admin.employee_no], "action": "slips"},
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "李明" in text and "赵雷" in text and admin.name not in text  # HR cannot reset an admin
    assert "已邀请，待激活" in client.get("/lms/staff/").get_data(as_text=True)
    nobody = client.post("/lms/staff/invitations", data={"action": "slips"})
    assert nobody.status_code == 302
    assert client.post("/lms/staff/invitations", data={"employee_no": "N001"}).status_code == 400
    detail = client.get("/lms/staff/N001").get_data(as_text=True)
    assert "作废激活链接" in detail
    revoked = client.post("/lms/staff/N001/invitation/revoke", follow_redirects=True)
    assert "激活链接已作废" in revoked.get_data(as_text=True)


def test_learners_cannot_invite(site, make_staff, client):
    learner = make_staff()
    login(client, learner)
    response = client.post(
        "/lms/staff/invitations", data={"employee_no": "E0001", "action": "slips"}
    )
    assert response.status_code == 403


def test_hr_emails_from_the_list(site, make_staff, client, runner, tmp_path, inbox):  # noqa: F811
    imported(runner, tmp_path)
    login(client, make_staff(roles=("hr",)))
    response = client.post(
        "/lms/staff/invitations",
        data={"employee_no": ["N001", "N002"], "action": "email"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "已发送 1 封激活邮件" in html and "1 人没有邮箱" in html
    assert len(inbox.to("wangfang@example.org")) == 1


def test_self_service_reset_says_the_same_either_way(site, make_staff, client, inbox):  # noqa: F811
    person = make_staff(email="Someone@Example.org")
    unknown = client.post("/lms/password/reset", data={"email": "nobody@example.org"})
    known = client.post("/lms/password/reset", data={"email": "someone@example.org"})
    assert unknown.status_code == known.status_code == 200
    strip = lambda r: re.sub(r'name="csrf_token" value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(unknown) == strip(known)
    (message,) = inbox.to("Someone@Example.org")
    link = LINK.search(message.get_content()).group(1)
    assert "重设密码" in message["Subject"]
    # Asking again at once sends nothing more: nobody can flood an inbox.
    client.post("/lms/password/reset", data={"email": "someone@example.org"})
    assert len(inbox.to("Someone@Example.org")) == 1
    # Until the link is used, the old password still works (a request locks nobody out).
    old = {"employee_no": person.employee_no, "password": PASSWORD}
    assert client.post("/lms/login", data=old).status_code == 302
    new = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert site.test_client().post(link, data=new).status_code == 302
    # The reset ends the sessions the old password opened.
    assert client.get("/lms/").status_code == 302
    with site.app_context():
        assert "staff.password_reset" in session.scalars(sa.select(AuditEntry.action)).all()


def test_reset_without_mail_server_still_answers_the_same(site, make_staff, client):
    site.config.update(LMS_MAIL_HOST="127.0.0.1", LMS_MAIL_PORT=1, LMS_MAIL_TIMEOUT=2)
    make_staff(email="someone@example.org")
    response = client.post("/lms/password/reset", data={"email": "someone@example.org"})
    assert response.status_code == 200
    with site.app_context():
        assert service.pending_count() == 0


def test_login_page_links_activation_and_reset(client):
    html = client.get("/lms/login").get_data(as_text=True)
    assert "/lms/activate" in html and "/lms/password/reset" in html


def test_with_a_host_adapter_there_is_nothing_to_activate(tmp_path, content_dir):
    from tests.test_embedded import make_host

    host, _db = make_host(tmp_path, content_dir)
    client = host.test_client()
    assert client.get("/training/activate/some-token").status_code == 404
    assert client.get("/training/activate").status_code == 404
    assert client.get("/training/password/reset").status_code == 404
    result = host.test_cli_runner().invoke(args=["lms", "invite", "--out", str(tmp_path / "s.pdf")])
    assert result.exit_code != 0 and "host application" in result.output
