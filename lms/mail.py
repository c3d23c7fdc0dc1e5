"""Sending e-mail over SMTP with the ``LMS_MAIL_*`` settings (documented in ``lms.plan.config``).

A low module: the plan's reminders and the invitations send with it."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app

from lms.defaults import DEFAULTS


def setting(key: str) -> Any:
    return current_app.config.get(key, DEFAULTS[key])


def message(to: Sequence[str], subject: str, body: str, *, cc: Sequence[str] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = setting("LMS_MAIL_SENDER")
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=str(setting("LMS_MAIL_SENDER")).rpartition("@")[2])
    msg.set_content(body)
    return msg


@contextmanager
def smtp() -> Iterator[smtplib.SMTP]:
    """One connection for a whole run, logged in when a user name is configured."""
    host, port = setting("LMS_MAIL_HOST"), int(setting("LMS_MAIL_PORT"))
    timeout = float(setting("LMS_MAIL_TIMEOUT"))
    if setting("LMS_MAIL_USE_SSL"):
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if setting("LMS_MAIL_USE_TLS"):
            client.starttls(context=ssl.create_default_context())
        if setting("LMS_MAIL_USERNAME"):
            client.login(setting("LMS_MAIL_USERNAME"), setting("LMS_MAIL_PASSWORD") or "")
        yield client
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
