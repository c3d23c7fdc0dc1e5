"""Getting an invitation to its person: a printed slip (PDF) or an e-mail.

Slips are A4 pages of eight (2 × 4, 105 × 74 mm, dashed cut lines), each with the name, employee
number, department, the short code, the expiry and a QR code of the activation URL; rendered by
WeasyPrint with the certificates' CJK font and under their lock (WeasyPrint's font state is not
thread-safe). Nothing outside the page is fetched: the QR code is an inline SVG ``data:`` URI.
E-mail goes through the reminders' SMTP settings (``LMS_MAIL_*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from flask import current_app, has_request_context, render_template, request

from lms.i18n import _
from lms.invitations.service import Issued, format_code

SLIPS_PER_PAGE = 8
SLIP_FONT = "Noto Serif CJK SC"  # the certificates' font: installed with them, checked the same way


class DeliveryProblem(RuntimeError):
    """The slips or e-mails cannot be made; the message says why (in the reader's language)."""


def site_url() -> str:
    """The public address activation links start with: ``LMS_PLAN_SITE_URL``, else this request's."""
    site = current_app.config.get("LMS_PLAN_SITE_URL")
    if site:
        return str(site).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    raise DeliveryProblem(_("请设置 LMS_PLAN_SITE_URL(对外网址)，激活链接和二维码需要它。"))


def activation_url(token: str, site: str | None = None) -> str:
    prefix = current_app.config["LMS_URL_PREFIX"]
    return f"{site or site_url()}{prefix}/activate/{token}"


def code_url(site: str | None = None) -> str:
    return f"{site or site_url()}{current_app.config['LMS_URL_PREFIX']}/activate"


def _local(moment):  # naive UTC → organisation time, for the printed expiry
    from lms.days import zone

    return moment.replace(tzinfo=UTC).astimezone(zone())


def slips_pdf(issued: Sequence[Issued]) -> bytes:
    """One PDF of activation slips, eight to an A4 page."""
    from lms.certificates.fonts import missing_glyphs
    from lms.certificates.issue import qr_data_uri

    site = site_url()
    missing = {
        item.staff.employee_no: "".join(missing_glyphs(_slip_text(item), SLIP_FONT))
        for item in issued
    }
    missing = {k: v for k, v in missing.items() if v}
    if missing:
        detail = "；".join(f"{k}：{v}" for k, v in missing.items())
        raise DeliveryProblem(
            _("字体 %(font)s 缺少这些字，激活单无法打印：%(detail)s", font=SLIP_FONT, detail=detail)
        )
    slips = [
        {
            "name": item.staff.name,
            "employee_no": item.staff.employee_no,
            "department": item.staff.department or "",
            "code": format_code(item.code),
            "qr": qr_data_uri(activation_url(item.token, site)),
            "expires": _local(item.invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
            "purpose": item.invitation.purpose,
        }
        for item in issued
    ]
    pages = [slips[i : i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    html = render_template(
        "lms/invitations/slips_pdf.html",
        pages=pages,
        font=SLIP_FONT,
        organisation=current_app.config.get("LMS_ORGANISATION") or "",
        code_url=code_url(site),
        _=_,  # also outside a request (the CLI): LMS templates get ``_`` per blueprint only
    )
    return _render(html)


def _slip_text(item: Issued) -> str:
    return f"{item.staff.name}{item.staff.department or ''}"


def _render(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    from lms.certificates.templates import _LOCK as WEASYPRINT_LOCK

    class DataOnly(URLFetcher):
        def fetch(self, url: str, headers=None):  # noqa: ANN001 - WeasyPrint's signature
            if url.split(":", 1)[0].lower() == "data":
                return super().fetch(url, headers)
            raise ValueError(f"activation slips may not load {url}")

    with WEASYPRINT_LOCK:
        fonts = FontConfiguration()
        document = HTML(string=html, url_fetcher=DataOnly(allowed_protocols=("data",)))
        return document.write_pdf(font_config=fonts)


def email_message(item: Issued):
    """The invitation (or reset) e-mail for one person."""
    from lms import mail

    org = current_app.config.get("LMS_ORGANISATION") or ""
    if item.invitation.purpose == "reset":
        subject = _("%(org)s：重设密码", org=org)
        intro = _(
            "我们收到了为您的账号重设密码的请求。如果不是您本人申请，请忽略这封邮件，原密码仍然有效。"
        )
    else:
        subject = _("%(org)s：激活您的学习账号", org=org)
        intro = _("您的培训学习账号已经开通，请点击下面的链接设置密码。")
    expires = _local(item.invitation.expires_at).strftime("%Y-%m-%d %H:%M")
    body = "\n".join(
        [
            _("%(name)s：您好！", name=item.staff.name),
            "",
            intro,
            "",
            activation_url(item.token),
            "",
            _(
                "也可以打开 %(url)s，输入工号 %(no)s 和激活码 %(code)s。",
                url=code_url(),
                no=item.staff.employee_no,
                code=format_code(item.code),
            ),
            _("链接在 %(when)s 之前有效，只能使用一次。", when=expires),
        ]
    )
    return mail.message([item.staff.email], subject, body)


def send_emails(issued: Sequence[Issued]) -> list[Issued]:
    """Send each person with an address their e-mail over one SMTP connection; those sent.

    Raises ``smtplib.SMTPException``/``OSError`` when the server cannot be reached; a refused
    recipient only leaves that person out.
    """
    import smtplib

    from lms import mail

    sent = []
    with mail.smtp() as client:
        for item in issued:
            if not item.staff.email:
                continue
            try:
                client.send_message(email_message(item))
            except smtplib.SMTPRecipientsRefused:
                continue
            sent.append(item)
    return sent
