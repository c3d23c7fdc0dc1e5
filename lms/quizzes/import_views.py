"""The trainer's question import wizard (upload → preview → confirm) and bank export downloads.

The uploaded text is parsed once, at upload (within the configured limits), and kept server-side
with its parse as an ``ImportDraft``; preview reloads and the confirm step use that stored parse,
so nothing the browser sends back (except the draft's token and a default section that is checked
against the course) can change what gets imported, and reloading costs no parsing.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, Form, HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from lms.auth.access import requires
from lms.auth.identity import current_staff
from lms.courses import catalog
from lms.courses.models import Course
from lms.db import session
from lms.i18n import CONTENT, _, _l, content, fill
from lms.quizzes.import_drafts import ImportDraft, load_draft, save_draft
from lms.quizzes.import_messages import problem_text, skipped_text
from lms.quizzes.importer import (
    ImportPreview,
    ImportRejected,
    course_sections,
    export_course,
    import_limits,
    import_questions,
    preview_parsed,
)
from lms.quizzes.interchange import ParseResult, decode, parse, parse_upload
from lms.quizzes.interchange.sheet import template_xlsx
from lms.security import accepts_upload

bp = Blueprint("lms_qimport", __name__)

FORMAT_CHOICES = [
    SelectChoice("gift", "GIFT(Moodle)"),
    SelectChoice("moodlexml", "Moodle XML"),
    SelectChoice("sheet", _l("题库表格(Excel .xlsx 或 CSV)")),
    SelectChoice("aiken", "Aiken"),
    SelectChoice("yaml", _l("YAML 题库(明礼格式)")),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FILES = {
    "gift": ("{slug}-gift.txt", "text/plain"),
    "yaml": ("{slug}.yaml", "text/plain"),
    "moodlexml": ("{slug}-moodle.xml", "application/xml"),
    "sheet": ("{slug}-sheet.xlsx", XLSX),
}
SHEET_PREFIX = "base64:"  # a sheet draft keeps its file's bytes as base64 text
TYPE_LABELS = {
    "single": _l("单选"),
    "multiple": _l("多选"),
    "truefalse": _l("判断"),
    "ordering": _l("排序"),
    "matching": _l("配对"),
    "short": _l("简答"),
    "scenario": _l("情境"),
    "numerical": _l("数值"),
}


class QuestionImportForm(FlaskForm):
    file = FileField(_l("题目文件"), validators=[FileRequired(_l("请选择要导入的文件。"))])
    fmt = SelectField(_l("文件格式"), choices=FORMAT_CHOICES, default="gift")
    course = SelectField(
        _l("导入到课程"), validators=[DataRequired(_l("请选择课程。"))], render_kw=CONTENT
    )
    skip_bad = BooleanField(
        _l("跳过有问题的题目，只导入有效的题目(否则整份文件要么全部导入，要么都不导入)")
    )
    submit = SubmitField(_l("上传并预览"))


class SectionForm(Form):
    """GET form on the preview page: which section questions without one are put under."""

    section = SelectField(_l("未注明章节的题目归入"))


class ConfirmImportForm(FlaskForm):
    """The confirmation carries the default section itself (a select when some question names
    none), so the section the trainer sees chosen is the one applied, re-previewed or not."""

    draft = HiddenField(validators=[DataRequired()])
    section = SelectField(_l("未注明章节的题目归入"), validate_choice=False)
    skip_bad = HiddenField()
    refresh = SubmitField(_l("重新预览"))
    submit = SubmitField(_l("确认导入"))


def _read_upload(upload: FileStorage, fmt: str) -> tuple[str | None, str | None]:
    """The upload as the text a draft keeps, or an error message; never reads more than the
    configured limit. A sheet (xlsx, or CSV in one of several encodings) is kept as its bytes."""
    limit = int(current_app.config["LMS_MAX_IMPORT_BYTES"])
    raw = upload.stream.read(limit + 1)
    if len(raw) > limit:
        return None, _("文件太大：最多 %(kb)s KB。请拆分后分批导入。", kb=limit // 1024)
    if not raw.strip():
        return None, _("文件是空的。")
    if fmt == "sheet":
        return SHEET_PREFIX + base64.b64encode(raw).decode("ascii"), None
    try:
        return decode(raw), None
    except UnicodeDecodeError:
        return None, _("文件不是 UTF-8 编码的文本。请用“另存为 UTF-8”保存后重新上传。")


def _parse_draft_text(text: str, fmt: str) -> ParseResult:
    """What :func:`_read_upload` kept, parsed within the configured limits."""
    if fmt == "sheet" and text.startswith(SHEET_PREFIX):
        return parse_upload(base64.b64decode(text[len(SHEET_PREFIX) :]), fmt, import_limits())
    return parse(text, fmt, import_limits())


@bp.route("/trainer/import", methods=["GET", "POST"])
@accepts_upload
@requires("trainer", "admin")
def upload():
    form = QuestionImportForm()
    form.course.choices = [SelectChoice(c.slug, c.title) for c in catalog.active_courses()]
    if request.method == "GET" and request.args.get("course"):
        form.course.data = request.args["course"]
    if form.validate_on_submit():
        fmt = form.fmt.data
        text, error = _read_upload(form.file.data, fmt)
        if error:
            form.file.errors.append(error)
        else:
            course = catalog.course_or_404(form.course.data)
            parsed = _parse_draft_text(text, fmt).to_json()
            draft = save_draft(
                current_staff(), course, fmt, form.file.data.filename or "", text, parsed
            )
            skip = {"skip_bad": "1"} if form.skip_bad.data else {}
            return redirect(url_for(".preview", draft=draft.token, **skip))
    status = 400 if request.method == "POST" else 200
    return render_template("lms/trainer/import.html", form=form), status


def _draft_course(draft: ImportDraft | None) -> Course | None:
    if draft is None:
        return None
    course = session.get(Course, draft.course_id)
    return course if course is not None and course.retired_at is None else None


def _stored_parse(draft: ImportDraft) -> ParseResult:
    """The parse made at upload; a draft from before drafts kept one is parsed now, once."""
    if draft.parsed is None:
        draft.parsed = _parse_draft_text(draft.text, draft.fmt).to_json()
        session.commit()
    return ParseResult.from_json(draft.parsed)


def _gone():
    flash(_("这次导入已完成、已过期或不存在，请重新上传文件。"), "error")
    return redirect(url_for(".upload"))


def _categories(result: ParseResult) -> list[str]:
    """The file's categories (GIFT ``$CATEGORY``, Moodle XML) that hold questions naming no
    section, in the order they come: the trainer may put each under a section."""
    found: list[str] = []
    for question in result.questions:
        category = question.category
        if category and "section" not in question.data and category not in found:
            found.append(category)
    return found


def _category_sections(
    values: Mapping[str, str], categories: list[str], sections: list[str]
) -> dict[str, str] | None:
    """The sections chosen for the categories (fields ``category-N``); None when one is not a
    section of the course (the form offered only those)."""
    mapping = {}
    for number, category in enumerate(categories):
        chosen = values.get(f"category-{number}") or ""
        if chosen:
            if chosen not in sections:
                return None
            mapping[category] = chosen
    return mapping


def _render_preview(
    draft: ImportDraft,
    preview: ImportPreview,
    sections: list[str],
    status: int = 200,
    categories: list[str] | None = None,
    mapping: Mapping[str, str] | None = None,
):
    section_form = SectionForm(
        data={"section": preview.default_section},
    )
    section_form.section.choices = [SelectChoice(s, s) for s in sections]
    confirm = ConfirmImportForm(
        formdata=None,
        draft=draft.token,
        section=preview.default_section or "",
        skip_bad="1" if preview.skip_bad else "",
    )
    confirm.section.choices = [SelectChoice(s, s) for s in sections]
    return (
        render_template(
            "lms/trainer/import_preview.html",
            draft=draft,
            preview=preview,
            section_form=section_form,
            confirm=confirm,
            type_labels=TYPE_LABELS,
            needs_section=any(q.section_assigned for q in preview.questions),
            problem_text=problem_text,
            skipped_text=skipped_text,
            sections=sections,
            categories=categories or [],
            mapping=mapping or {},
        ),
        status,
    )


@bp.get("/trainer/import/preview")
@requires("trainer", "admin")
def preview():
    draft = load_draft(request.args.get("draft"), current_staff())
    course = _draft_course(draft)
    if course is None:
        return _gone()
    sections = course_sections(course)
    wanted = request.args.get("section")
    section = wanted if wanted in sections else None
    skip_bad = request.args.get("skip_bad") == "1"
    parsed = _stored_parse(draft)
    categories = _categories(parsed)
    chosen = {k: v for k, v in request.args.items() if v in sections}  # others: not chosen
    mapping = _category_sections(chosen, categories, sections) or {}
    result = preview_parsed(
        parsed, draft.fmt, course, section, skip_bad=skip_bad, category_sections=mapping
    )
    return _render_preview(draft, result, sections, 200, categories, mapping)


@bp.post("/trainer/import/confirm")
@requires("trainer", "admin")
def confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    staff = current_staff()
    draft = load_draft(form.draft.data, staff)
    course = _draft_course(draft)
    if course is None:
        return _gone()
    sections = course_sections(course)
    section = form.section.data or None
    if section is not None and section not in sections:
        abort(400)  # not a value the preview offered: a tampered form
    # The stored parse of the stored text: the import is exactly what was previewed.
    skip_bad = form.skip_bad.data == "1"
    parsed = _stored_parse(draft)
    categories = _categories(parsed)
    mapping = _category_sections(request.form, categories, sections)
    if mapping is None:
        abort(400)  # a section the preview did not offer: a tampered form
    if form.refresh.data:  # "re-preview" with the sections chosen in the confirmation form
        skip = {"skip_bad": "1"} if skip_bad else {}
        chosen = {f"category-{n}": mapping[c] for n, c in enumerate(categories) if c in mapping}
        return redirect(url_for(".preview", draft=draft.token, section=section, **skip, **chosen))
    result = preview_parsed(
        parsed, draft.fmt, course, section, skip_bad=skip_bad, category_sections=mapping
    )
    if not result.ok:
        flash(_("文件有问题，没有导入任何题目。请修正后重新上传。"), "error")
        return _render_preview(draft, result, sections, 400, categories, mapping)
    filename = draft.filename
    session.delete(draft)  # used up in the same transaction as the import
    try:
        report = import_questions(
            course,
            result.importable,
            staff,
            fmt=draft.fmt,
            filename=filename,
            skipped=len(result.skipped),
            rejected=result.rejected_count,
        )
    except ImportRejected as exc:
        draft = load_draft(form.draft.data, staff)
        if draft is None:
            return _gone()
        result.problems = exc.problems
        flash(_("导入被拒绝，没有导入任何题目。"), "error")
        return _render_preview(draft, result, sections, 400, categories, mapping)
    message = _(
        "已导入到「%(course)s」：新增 %(created)s 题，更新 %(updated)s 题(新版本)，"
        "未变 %(unchanged)s 题，跳过 %(skipped)s 题，拒收 %(rejected)s 题。"
    )
    counts = {
        "created": len(report.created),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        "skipped": report.skipped,
        "rejected": report.rejected,
    }
    flash(fill(message, course=content(course.title), **counts), "success")
    return redirect(url_for("lms_trainer.questions", slug=course.slug))


@bp.get("/trainer/courses/<slug>/export")
@requires("trainer", "admin")
def export(slug: str):
    course = catalog.course_or_404(slug)
    fmt = request.args.get("format", "gift")
    if fmt not in EXPORT_FILES:
        abort(400)
    name, mimetype = EXPORT_FILES[fmt]
    try:
        data = export_course(course, fmt)
    except ValueError as exc:  # a question the format cannot hold (the sheet: 26 options at most)
        flash(fill(_("无法按这种格式导出：%(reason)s"), reason=content(str(exc))), "error")
        return redirect(url_for("lms_trainer.banks"))
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name.format(slug=slug)}"'},
    )


@bp.get("/trainer/import/sheet-template.xlsx")
@requires("trainer", "admin")
def sheet_template():
    """The 题库 spreadsheet with its header and one example row per common type."""
    return Response(
        template_xlsx(),
        mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="question-sheet-template.xlsx"'},
    )
