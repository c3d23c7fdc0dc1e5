"""Lesson Markdown is sanitised when saved: no payload from a corpus of XSS tricks reaches the page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from lms.content.sync import sync_content
from tests.conftest import login

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="JaVaScRiPt:alert(1)">点我</a>',
    '<a href="&#106;avascript:alert(1)">点我</a>',
    "[点我](javascript:alert(1))",
    "[点我](  javascript:alert(1)  )",
    "[点我](JAVASCRIPT:alert(1))",
    "[点我](&#106;avascript:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![图](javascript:alert(1))",
    "![图](x){onerror=alert(1)}",
    "[点我](http://ok.example){onclick=alert(1)}",
    "[点我](http://ok.example){style=color:red}",
    "## 标题 {onmouseover=alert(1)}",
    "<iframe src=//evil.example></iframe>",
    "<object data=//evil.example/x.swf></object>",
    "<embed src=//evil.example/x.swf>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<form action=//evil.example><button>提交</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "[a](vbscript:msgbox(1))",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "[点我][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
]
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "em",
    "strong", "del", "sup", "sub", "ul", "ol", "li", "dl", "dt", "dd", "a", "div", "span",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src", "action", "data", "formaction"):
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def test_no_payload_survives_into_the_lesson_page(app, client, make_staff, content_dir: Path):
    lesson = content_dir / "courses/basics/greeting.md"
    body = "\n\n".join(f"段落 {i}:{payload}" for i, payload in enumerate(PAYLOADS))
    lesson.write_text(
        lesson.read_text() + "\n## 攻击样本 {#attacks}\n\n" + body + "\n\n结尾段落。\n"
    )
    with app.app_context():
        sync_content(content_dir)
    login(client, make_staff())
    html = client.get("/lms/courses/basics/greeting").get_data(as_text=True)
    article = html[html.index('<article class="lesson">') : html.index("</article>")]
    body_html = article[article.index('<h2 id="why">') : article.index("<form")]
    collector = Collector()
    collector.feed(body_html)
    assert collector.problems == []
    assert "结尾段落。" in body_html, "a payload must not swallow the rest of the lesson"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body_html, "raw HTML is shown as text"
