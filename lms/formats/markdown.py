"""The one Markdown renderer: it always sanitises, and it runs when content is saved, not per request."""

from __future__ import annotations

from typing import Any

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

# Bump when the rendering changes, so that the next sync re-renders every stored lesson.
RENDERER_VERSION = "2"
EXTENSIONS = ["toc", "tables", "attr_list", "admonition", "sane_lists", "fenced_code"]
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_TAGS = {
    *HEADINGS,
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "sup", "sub",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "div", "span",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    **{tag: {"id"} for tag in HEADINGS},
    "a": {"href", "title"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return sanitised HTML and the table of contents (headings level 2–3 with their anchors)."""
    md = markdown.Markdown(
        extensions=EXTENSIONS,
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3"}},
    )
    # Raw HTML in a lesson is shown as text, not parsed: nothing an author types can open a tag
    # that swallows the rest of the page. nh3 then cleans what Markdown itself produced.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return sanitise_html(md.convert(text)), _flatten(md.toc_tokens)


def sanitise_html(html: str) -> str:
    """HTML cut down to the lessons' allowed tags, attributes and link schemes (scripts and styles
    dropped with their content); imported HTML question text goes through the same rules."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _flatten(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for token in tokens:
        out.append({"id": token["id"], "title": token["name"], "level": token["level"]})
        out.extend(_flatten(token.get("children", [])))
    return out
