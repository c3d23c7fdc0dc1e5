"""The LMS's own translation domain (``lms``), so its strings never mix with a host's catalogs.

The language follows the person's choice (kept in the session), then the browser's
``Accept-Language``, then ``LMS_DEFAULT_LOCALE``. Course content stays in the language it was written in.
The source strings (msgids) are the Chinese texts: Chinese is the product's own language.

Python code uses ``gettext``/``_`` (inside a request: flashes, errors shown on pages, API messages;
outside one, ``LMS_DEFAULT_LOCALE``: CLI, e-mail reminders), ``lazy_gettext``/``_l`` (class-level
WTForms labels, choices and validator messages), ``ngettext``, ``pgettext`` (one Chinese word with
two meanings) and ``N_`` (a constant translated later). Templates get ``_``/``gettext``/
``ngettext``/``pgettext`` from ``template_helpers``, registered for the LMS blueprints only, so a
host's own ``_`` keeps its meaning everywhere else. Content inside a translated sentence is wrapped
with ``content()`` (``lms_content`` in templates), so the page marks it ``data-content``.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import support
from flask import Flask, current_app, has_app_context, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale
from markupsafe import Markup, escape

SUPPORTED = {"zh_CN": "中文", "en": "English"}
# render_kw of a form field whose choices are content (course titles, departments): shown as written.
CONTENT = MappingProxyType({"data-content": True})
SESSION_KEY = "lms_locale"

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


class LMSDomain(Domain):
    """Flask-Babel's domain, but catalogs are looked up by the LMS's own locale codes.

    Babel expands ``zh_CN`` to ``zh_Hans_CN``, a name gettext would not find the ``zh_CN`` folder by.
    """

    def get_translations(self) -> support.NullTranslations:
        if not has_app_context():
            return support.NullTranslations()
        code = current_locale()
        try:
            return self.cache[code]
        except KeyError:
            translations = support.Translations.load(str(TRANSLATIONS), [code], "lms")
            self.cache[code] = translations
            return translations


domain = LMSDomain(translation_directories=[str(TRANSLATIONS)], domain="lms")
gettext = domain.gettext
ngettext = domain.ngettext
pgettext = domain.pgettext  # the same Chinese word with two meanings: pgettext("context", "…")
lazy_gettext = domain.lazy_gettext
lazy_pgettext = domain.lazy_pgettext
_ = gettext
_l = lazy_gettext


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Marks a constant for extraction without translating it; ``_(CONSTANT)`` translates it later."""
    return message


def select_locale() -> str:
    """The session's choice, then the browser's, then ``LMS_DEFAULT_LOCALE`` (also outside requests)."""
    default = current_app.config.get("LMS_DEFAULT_LOCALE", "zh_CN")
    if not has_request_context():  # CLI commands, e-mail reminders: the configured language
        return default
    chosen = session.get(SESSION_KEY)
    if chosen in SUPPORTED:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best == "zh":
        return "zh_CN"
    return best or default


def current_locale() -> str:
    """The locale this request is rendered in, as ``zh_CN`` or ``en``.

    A host's own Babel may pick a language the LMS has no catalog for: its pages then use
    ``LMS_DEFAULT_LOCALE``.
    """
    default = current_app.config.get("LMS_DEFAULT_LOCALE", "zh_CN")
    if "babel" not in current_app.extensions:
        return default
    locale = get_locale()
    if locale is None:
        return default
    if locale.language == "zh":
        return "zh_CN"
    return locale.language if locale.language in SUPPORTED else default


def html_lang() -> str:
    """The locale as a BCP 47 tag for ``<html lang>`` (``zh-CN``, ``en``)."""
    return current_locale().replace("_", "-")


def own_locale_choice() -> bool:
    """True when the LMS picks the language itself, so its language switch has an effect."""
    babel = current_app.extensions.get("babel")
    return babel is not None and babel.locale_selector is select_locale


def _template_gettext(string: str, **variables: Any) -> Markup:
    # Like Jinja's autoescaping gettext: the translation is trusted markup, the values are escaped.
    translated = Markup(domain.get_translations().ugettext(string))
    return translated % variables if variables else translated


def _template_pgettext(context: str, string: str, **variables: Any) -> Markup:
    translated = Markup(domain.get_translations().upgettext(context, string))
    return translated % variables if variables else translated


def _template_ngettext(singular: str, plural: str, num: int, **variables: Any) -> Markup:
    variables.setdefault("num", num)
    return Markup(domain.get_translations().ungettext(singular, plural, num)) % variables


def content(value: Any) -> Markup:
    """Course content or people's data inside a translated sentence, marked as not to be translated.

    ``data-content`` tells readers and tests that the text is shown in the language it was written in.
    """
    return Markup("<span data-content>%s</span>") % (value,)


def fill(text: str, **values: Any) -> Markup:
    """A translated sentence (plain text) filled in as markup; wrap content values in ``content()``.

    For flashes that echo content: ``flash(fill(_("已完成：%(title)s"), title=content(title)))``.
    Other values are escaped; Markup survives the session, so the content mark reaches the page.
    """
    return Markup(escape(text)) % values


def template_helpers() -> dict[str, Any]:
    """``_`` and friends for LMS templates only (registered per LMS blueprint, not app-wide)."""
    from lms.csrf import template_helpers as csrf_helpers

    return csrf_helpers() | {
        "_": _template_gettext,
        "gettext": _template_gettext,
        "ngettext": _template_ngettext,
        "pgettext": _template_pgettext,
        "lms_locale": current_locale,
        "lms_html_lang": html_lang,
        "lms_languages": SUPPORTED,
        "lms_content": content,
        "lms_language_switch": own_locale_choice,
    }


def init_app(app: Flask) -> None:
    if app.config["LMS_DEFAULT_LOCALE"] not in SUPPORTED:
        raise RuntimeError(
            f"LMS_DEFAULT_LOCALE must be one of {sorted(SUPPORTED)}, "
            f"not {app.config['LMS_DEFAULT_LOCALE']!r}."
        )
    if "babel" not in app.extensions:  # a host with its own Babel keeps deciding the locale
        # configure_jinja=False: the app's Jinja environment (the host's templates) stays as it was.
        Babel(
            app,
            locale_selector=select_locale,
            default_locale=app.config["LMS_DEFAULT_LOCALE"],
            configure_jinja=False,
        )
