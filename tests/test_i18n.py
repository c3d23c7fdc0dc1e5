"""The bilingual interface: complete catalogs, the language switch, and the same pages in both languages.

Course content (titles, lessons, questions, people's names, departments) stays in the language it
was written in; templates mark the elements holding it with ``data-content`` (or ``lang``), and
the English pages must show no Chinese anywhere else.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from lms import create_app, i18n
from lms.content.typography import ascii_punctuation, full_width
from tests.conftest import FIXTURE_SEEDS, PROJECT, database_url, login, reset_schema

TRANSLATIONS = PROJECT / "lms" / "translations"
LOCALES = ("zh_CN", "en")
KEYWORDS = DEFAULT_KEYWORDS | {
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\d+\}")


# --- catalogs ------------------------------------------------------------------------------------


Key = tuple[str | None, str]  # (context, msgid; the singular for plural messages)


def _key(message_id: str | tuple[str, ...] | list[str], context: str | None = None) -> Key:
    return context, message_id if isinstance(message_id, str) else message_id[0]


def extracted_messages() -> set[Key]:
    """Every message in the sources, extracted the way scripts/update-translations does it."""
    with open(PROJECT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[Key] = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(PROJECT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        callback=None,
        strip_comment_tags=False,
    ):
        found.add(_key(message, context))
    return found


def catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "lms.po", "rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def sources() -> set[Key]:
    return extracted_messages()


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, list | tuple) else (message.string,)


def test_every_string_in_the_sources_is_in_both_catalogs_and_translated_to_english(sources):
    assert len(sources) > 500  # templates and Python both extracted
    for locale in LOCALES:
        entries = {_key(m.id, m.context): m for m in catalog(locale) if m.id}
        missing = sorted(k for k in sources if k not in entries)
        assert not missing, (
            f"{locale}: {missing[:10]} not in the catalog: scripts/update-translations"
        )
        if locale == "en":
            untranslated = [
                k for k, m in entries.items() if not all(_strings(m)) or "fuzzy" in m.flags
            ]
            assert not untranslated, f"no English for: {untranslated[:10]}"
            chinese = ["".join(_strings(m)) for m in entries.values()]
            # Only the Chinese column names of the staff import (marked lang="zh-CN") stay Chinese.
            assert all('lang="zh-CN"' in text for text in chinese if CJK.search(text))


def test_the_template_is_current(sources):
    with open(TRANSLATIONS / "lms.pot", "rb") as f:
        template = {_key(m.id, m.context) for m in read_po(f) if m.id}
    assert template == sources, "run scripts/update-translations"


def test_translations_keep_the_placeholders_of_their_source():
    for locale in LOCALES:
        for m in catalog(locale):
            if not m.id:
                continue
            wanted = sorted(set(PLACEHOLDER.findall(_key(m.id)[1])))
            for text in _strings(m):
                assert sorted(set(PLACEHOLDER.findall(text))) == wanted, (locale, m.id, text)


def test_zh_cn_repeats_the_chinese_source_text():
    """With full-width punctuation after Chinese characters (scripts/update-translations)."""
    for m in catalog("zh_CN"):
        if m.id:
            assert set(_strings(m)) == {full_width(_key(m.id)[1])}, m.id


def test_the_zh_cn_catalogue_uses_full_width_punctuation_after_chinese():
    """Every interface string: ，：；？！ after a Chinese character, in the source and the catalogue."""
    for m in catalog("zh_CN"):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, list | tuple) else (m.id,)
        for text in (*_strings(m), *ids):
            assert not ascii_punctuation(text), (m.id, text)


def test_committed_mo_files_match_the_po_files():
    for locale in LOCALES:
        po = {_pair(m) for m in catalog(locale) if m.id and "fuzzy" not in m.flags}
        with open(TRANSLATIONS / locale / "LC_MESSAGES" / "lms.mo", "rb") as f:
            mo = {_pair(m) for m in read_mo(f) if m.id}
        assert mo == po, f"{locale}: run scripts/update-translations compile"


def _pair(message) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
    return message.context, tuple(ids), _strings(message)


# --- visible text --------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
LABEL_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The text a reader sees (and labels a screen reader reads), minus content marked as such."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []
        self.html_lang = ""

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang") or ""
        skip = (
            self._skipping()
            or tag in ("head", "script", "style")
            or "data-content" in values
            or (tag != "html" and "lang" in values)
        )
        if not skip:
            self.parts += [values[a] or "" for a in LABEL_ATTRIBUTES if a in values]
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)


def visible(html: str) -> tuple[str, str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split()), parser.html_lang


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def people(app, make_staff):
    from lms.auth.models import Staff
    from lms.certificates.models import Certificate
    from lms.certificates.serials import new_serial
    from lms.courses.catalog import course_or_404
    from lms.db import session
    from lms.plan.requirements import create_requirement

    learner = make_staff(("learner",), name="李新员", department="门诊部", position="导医")
    trainer = make_staff(("learner", "trainer"), name="王培训")
    hr = make_staff(("learner", "hr"), name="张人事", department="人力资源部")
    with app.test_request_context():
        course = course_or_404("basics")
        create_requirement(
            {"course_id": course.id, "department": "门诊部", "due_days_after_hire": 30}, None
        )
        staff = session.scalar(sa.select(Staff).where(Staff.employee_no == learner.employee_no))
        session.add(
            Certificate(
                serial=new_serial(),
                staff_id=staff.id,
                course_id=course.id,
                issued_on=date.today(),
                snapshot={"name": "李新员", "course_title": "服务基础"},
                pdf=b"%PDF-1.7 stub",
                sha256="0" * 64,
            )
        )
        session.commit()
    return {"learner": learner, "trainer": trainer, "hr": hr}


def _client(app: Flask, locale: str) -> FlaskClient:
    client = app.test_client()
    if locale == "en":
        response = client.post("/lms/language", data={"locale": "en", "next": "/lms/login"})
        assert response.status_code == 302
    return client


def _attempt(client: FlaskClient) -> str:
    response = client.post("/lms/courses/basics/quiz")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


PAGES = {
    "login": (None, lambda c: "/lms/login"),
    "dashboard": ("learner", lambda c: "/lms/"),
    "course": ("learner", lambda c: "/lms/courses/basics/"),
    "lesson": ("learner", lambda c: "/lms/courses/basics/greeting"),
    "quiz": ("learner", _attempt),
    "result": (
        "learner",
        lambda c: c.post(_attempt(c) + "/submit").location,
    ),
    "trainer banks": ("trainer", lambda c: "/lms/trainer/"),
    "question form": ("trainer", lambda c: "/lms/trainer/courses/basics/questions/new/single"),
    "trainer bank": ("trainer", lambda c: "/lms/trainer/courses/basics/questions"),
    "staff list": ("hr", lambda c: "/lms/staff/"),
    "plan matrix": ("hr", lambda c: "/lms/plan/"),
    "certificates": ("hr", lambda c: "/lms/certificates/"),
    "not found": ("learner", lambda c: "/lms/no-such-page"),
}
# A few interface strings each page must show, in Chinese and in English.
EXPECTED = {
    "login": ("登录", "Log in"),
    "dashboard": ("我的课程", "My courses"),
    "course": ("开始测验", "Start the quiz"),
    "lesson": ("学完本课", "Mark this lesson as done"),
    "quiz": ("交卷", "Submit"),
    "result": ("测验结果", "Quiz result"),
    "trainer banks": ("题目统计", "Question statistics"),
    "question form": ("选项(勾选正确的一个)", "Options (tick the one correct option)"),
    "trainer bank": ("题库检查", "Bank check"),
    "staff list": ("导入员工名单", "Import a staff list"),
    "plan matrix": ("合规矩阵", "Compliance matrix"),
    "certificates": ("批量打印", "Batch printing"),
    "not found": ("找不到页面", "Page not found"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_the_same_page_in_chinese_and_in_english(app, people, page):
    role, url_of = PAGES[page]
    texts = {}
    for locale in LOCALES:
        client = _client(app, locale)
        if role:
            login(client, people[role])
        response = client.get(url_of(client))
        assert response.status_code == (404 if page == "not found" else 200), page
        text, lang = visible(response.get_data(as_text=True))
        response.close()
        zh, en = EXPECTED[page]
        if locale == "zh_CN":
            assert lang == "zh-CN" and zh in text and en not in text, (page, text)
        else:
            assert lang == "en" and en in text, (page, text)
            assert not CJK.findall(text), f"{page}: untranslated {CJK.findall(text)} in {text!r}"
        texts[locale] = text
    assert texts["zh_CN"] != texts["en"]


def test_content_is_shown_as_written_in_both_languages(app, people):
    client = _client(app, "en")
    login(client, people["learner"])
    html = client.get("/lms/courses/basics/greeting").get_data(as_text=True)
    assert "服务基础" in html and "问候与微笑" in html  # course and lesson titles stay Chinese
    assert "Mark this lesson as done" in html
    # A flash that echoes content keeps the content marked.
    client.post("/lms/courses/basics/greeting/complete")
    html = client.get("/lms/courses/basics/greeting").get_data(as_text=True)
    assert "Completed: <span data-content>问候与微笑</span>" in html


# --- choosing the language -----------------------------------------------------------------------


def test_the_switch_changes_the_language_and_it_persists(app, people):
    client = app.test_client()
    login(client, people["learner"])
    assert visible(client.get("/lms/").get_data(as_text=True))[1] == "zh-CN"
    response = client.post("/lms/language", data={"locale": "en", "next": "/lms/courses/basics/"})
    assert response.status_code == 302 and response.location == "/lms/courses/basics/"
    for url in ("/lms/", "/lms/courses/basics/", "/lms/certificates/mine"):
        text, lang = visible(client.get(url).get_data(as_text=True))
        assert lang == "en" and not CJK.search(text), url
    with client.session_transaction() as s:
        assert s[i18n.SESSION_KEY] == "en"
    # The choice beats the browser's language.
    page = client.get("/lms/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "My courses" in page.get_data(as_text=True)
    client.post("/lms/language", data={"locale": "zh_CN", "next": "/lms/"})
    assert "我的课程" in client.get("/lms/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_the_browser_language_applies_until_a_choice_is_made(app, people):
    client = app.test_client()
    login(client, people["learner"])
    english = client.get("/lms/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert visible(english.get_data(as_text=True))[1] == "en"
    assert "My courses" in english.get_data(as_text=True)
    chinese = client.get("/lms/", headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert "我的课程" in chinese.get_data(as_text=True)
    other = client.get("/lms/", headers={"Accept-Language": "fr"})
    assert "我的课程" in other.get_data(as_text=True)  # LMS_DEFAULT_LOCALE


def test_the_switch_only_goes_back_to_a_path_on_this_site(client):
    for target in (
        "//evil.example/x",
        "https://evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "",
    ):
        response = client.post("/lms/language", data={"locale": "en", "next": target})
        assert response.status_code == 302 and response.location == "/lms/", target
    response = client.post("/lms/language", data={"locale": "en", "next": "/lms/verify/?x=1"})
    assert response.location == "/lms/verify/?x=1"


def test_an_unknown_language_is_ignored(client):
    client.post("/lms/language", data={"locale": "fr", "next": "/lms/login"})
    with client.session_transaction() as s:
        assert i18n.SESSION_KEY not in s
    assert "登录" in client.get("/lms/login").get_data(as_text=True)


def test_the_switch_needs_the_csrf_token(tmp_path, content_dir):
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(content_dir),
        }
    )
    reset_schema(app)
    client = app.test_client()
    refused = client.post("/lms/language", data={"locale": "en", "next": "/lms/login"})
    assert refused.status_code == 400
    page = client.get("/lms/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    form = page[page.index('class="inline lang-switch"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/lms/language", data={"locale": "en", "next": "/lms/login", "csrf_token": token})
    assert '<html lang="en">' in client.get("/lms/login").get_data(as_text=True)
    with app.app_context():
        app.extensions["lms"].db.engine.dispose()


def test_the_default_language_is_configurable(tmp_path, content_dir):
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "LMS_DEFAULT_LOCALE": "en",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(content_dir),
        }
    )
    reset_schema(app)
    assert "Log in" in app.test_client().get("/lms/login").get_data(as_text=True)
    with app.app_context():  # outside a request (CLI, e-mail reminders): the default language
        assert i18n.gettext("我的课程") == "My courses"
        app.extensions["lms"].db.engine.dispose()
    with pytest.raises(RuntimeError, match="LMS_DEFAULT_LOCALE"):
        create_app(
            {
                "CONFIG_NAME": "testing",
                "LMS_DEFAULT_LOCALE": "fr",
                "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            }
        )


# --- error pages ---------------------------------------------------------------------------------


def test_error_pages_in_the_products_style_in_both_languages(app, people, monkeypatch):
    for locale, not_found, denied in (
        ("zh_CN", "找不到页面", "没有权限"),
        ("en", "Page not found", "Access denied"),
    ):
        client = _client(app, locale)
        login(client, people["learner"])
        for url in ("/lms/nope", "/lms/courses/nope/", "/lms/certificates/999"):
            response = client.get(url)
            assert response.status_code == (403 if "certificates" in url else 404), url
            html = response.get_data(as_text=True)
            assert "lms.css" in html and "error-page" in html, url
        page = client.get("/lms/trainer/")
        assert page.status_code == 403 and denied in page.get_data(as_text=True)
        assert not_found in client.get("/lms/courses/nope/").get_data(as_text=True)
        assert client.get("/lms/api/v1/nope").is_json  # the API keeps its JSON errors

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "lms_courses.dashboard", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for locale, failed in (("zh_CN", "出错了"), ("en", "Something went wrong")):
        client = _client(app, locale)
        response = client.get("/lms/")
        assert response.status_code == 500 and failed in response.get_data(as_text=True)


def test_api_messages_follow_the_language(client):
    reply = client.get("/lms/api/v1/me", headers={"Accept-Language": "en"})
    assert reply.status_code == 401 and reply.get_json()["message"].startswith("Please log in")
    reply = client.get("/lms/api/v1/me")
    assert reply.get_json()["message"] == "请先登录，或提供有效的访问令牌。"


# --- inside a host -------------------------------------------------------------------------------


def make_host(tmp_path: Path, content_dir: Path, *, babel: bool = False) -> Flask:
    from flask_babel import Babel

    from lms import LMS
    from lms.content.sync import sync_content

    host = Flask("host_app")
    host.config.update(
        SECRET_KEY="host-secret",
        SQLALCHEMY_DATABASE_URI=database_url(tmp_path),
        LMS_CONTENT_DIR=str(content_dir),
        LMS_SEEDS_DIR=str(FIXTURE_SEEDS),
        WTF_CSRF_ENABLED=False,
    )
    host.jinja_env.globals["_"] = lambda text: f"host:{text}"  # the host's own _
    if babel:
        Babel(host, locale_selector=lambda: "en")

    @host.get("/hello")
    def hello():
        return render_template_string("{{ _('hello') }}")

    @host.errorhandler(500)
    def host_500(_exc):
        return "host error page", 500

    @host.get("/boom")
    def boom():
        raise RuntimeError("host failure")

    LMS(host)
    reset_schema(host)
    with host.app_context():
        sync_content(content_dir)
    return host


def test_a_hosts_own_underscore_and_error_pages_are_untouched(tmp_path, content_dir, make_staff):
    host = make_host(tmp_path, content_dir)
    host.config["PROPAGATE_EXCEPTIONS"] = False
    client = host.test_client()
    assert client.get("/hello").get_data(as_text=True) == "host:hello"
    assert "jinja2.ext.InternationalizationExtension" not in host.jinja_env.extensions
    assert client.get("/boom").get_data(as_text=True) == "host error page"
    assert client.get("/missing").get_data(as_text=True) != ""  # Flask's own 404, as before
    assert "error-page" not in client.get("/missing").get_data(as_text=True)
    # The LMS's pages inside the host use the LMS's catalogs, and its own error page.
    assert "登录" in client.get("/lms/login").get_data(as_text=True)
    client.post("/lms/language", data={"locale": "en", "next": "/lms/login"})
    assert "Log in" in client.get("/lms/login").get_data(as_text=True)
    assert client.get("/hello").get_data(as_text=True) == "host:hello"
    assert "Page not found" in client.get("/lms/nope").get_data(as_text=True)
    with host.app_context():
        host.extensions["lms"].db.engine.dispose()


def test_a_host_with_its_own_babel_keeps_choosing_the_language(tmp_path, content_dir):
    host = make_host(tmp_path, content_dir, babel=True)
    selector = host.extensions["babel"].locale_selector
    assert selector is not i18n.select_locale
    client = host.test_client()
    page = client.get("/lms/login").get_data(as_text=True)
    assert "Log in" in page and '<html lang="en">' in page
    assert "lang-switch" not in page  # the LMS's switch would have no effect here
    # The host's _ is its own Babel's (installed over the host's global by Babel itself).
    assert client.get("/hello").get_data(as_text=True) == "hello"
    with host.app_context():
        host.extensions["lms"].db.engine.dispose()
