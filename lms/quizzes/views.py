"""Trainer pages: each course's question bank (list, write, edit, preview, retire), its quiz
settings and its item statistics."""

from __future__ import annotations

import random
from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from lms.auth.access import requires
from lms.auth.identity import current_staff
from lms.courses import catalog
from lms.courses.models import Course
from lms.db import session
from lms.i18n import _, fill
from lms.quizzes import authoring, grading, lint_report
from lms.quizzes.authoring import ORIGIN_LABELS, QuestionRejected
from lms.quizzes.forms import QUESTION_FORMS, TYPE_LABELS, QuestionForm, QuizSettingsForm
from lms.quizzes.harvesting import course_suspects
from lms.quizzes.models import QUESTION_TYPES, Question, QuestionBank
from lms.quizzes.statistics import (
    EASY_FACILITY,
    FLAG_LABELS,
    HARD_FACILITY,
    MIN_ATTEMPTS,
    SUGGEST_MIN_ATTEMPTS,
    course_statistics,
)

bp = Blueprint("lms_trainer", __name__)

# Preview shuffles like an attempt, with a fixed seed so the trainer sees the same page each time
# (``?seed=N`` shows another order).
PREVIEW_SEED = 1


@bp.get("/trainer/")
@requires("trainer", "admin")
def banks():
    courses = catalog.active_courses()
    counts: dict[int, Counter] = {c.id: Counter() for c in courses}
    rows = session.execute(
        sa.select(QuestionBank.course_id, Question.type, sa.func.count(Question.id))
        .join(Question, Question.bank_id == QuestionBank.id)
        .where(Question.retired_at.is_(None))
        .group_by(QuestionBank.course_id, Question.type)
    )
    for course_id, qtype, n in rows:
        if course_id in counts:
            counts[course_id][qtype] = n
    return render_template(
        "lms/trainer/banks.html", courses=courses, counts=counts, type_labels=TYPE_LABELS
    )


@bp.get("/trainer/courses/<slug>/questions")
@requires("trainer", "admin")
def questions(slug: str):
    course = catalog.course_or_404(slug)
    qtype = request.args.get("type", "")
    qtype = qtype if qtype in QUESTION_TYPES else ""
    lesson = request.args.get("lesson", "")
    lesson = lesson if lesson in {x.slug for x in course.lessons} else ""
    retired = request.args.get("retired") == "1"
    questions = authoring.list_questions(course, qtype=qtype, lesson=lesson, retired=retired)
    lint = lint_report.course_report(course)
    return render_template(
        "lms/trainer/questions.html",
        course=course,
        questions=questions,
        lint=lint,
        lint_by_key=lint_report.by_question(lint),
        lint_settings=lint_report.settings(),
        describe=lint_report.describe,
        sections={value for value, _, _ in authoring.sections(course)},
        filters={"type": qtype, "lesson": lesson, "retired": retired},
        type_labels=TYPE_LABELS,
        origin_labels=ORIGIN_LABELS,
        form=FlaskForm(),
    )


def _section_choices(course: Course, current: str = "") -> list[SelectChoice]:
    """Sections grouped by lesson; a section that no longer exists stays visible, marked."""
    choices = [SelectChoice("", _("请选择课节…"))]
    choices += [
        SelectChoice(value, title, optgroup=lesson)
        for value, lesson, title in authoring.sections(course)
    ]
    if current and current not in {c.value for c in choices}:
        choices.append(
            SelectChoice(current, _("%(section)s(此课节已不存在，请另选)", section=current))
        )
    return choices


def _render_form(course: Course, form: QuestionForm, question: Question | None, status: int):
    return (
        render_template(
            "lms/trainer/question_form.html",
            course=course,
            form=form,
            question=question,
            qtype=form.qtype,
            type_labels=TYPE_LABELS,
            origin_labels=ORIGIN_LABELS,
        ),
        status,
    )


def _flash_warnings(course: Course, question: Question) -> None:
    """The bank linter's advice on the question just saved; it never blocks the save."""
    data = {"id": question.key, **question.versions[-1].data}
    warnings = lint_report.question_warnings(course, data)
    if warnings:
        items = Markup(_("；")).join(lint_report.describe(w) for w in warnings)
        flash(fill(_("已保存，但请留意：%(items)s"), items=items), "warning")


@bp.route("/trainer/courses/<slug>/questions/new/<qtype>", methods=["GET", "POST"])
@requires("trainer", "admin")
def new_question(slug: str, qtype: str):
    course = catalog.course_or_404(slug)
    if qtype not in QUESTION_FORMS:
        abort(404)
    form = QUESTION_FORMS[qtype]()
    form.section.choices = _section_choices(course, form.section.data or "")
    if not form.is_submitted():
        form.pad_rows()
        return _render_form(course, form, None, 200)
    if form.more.data:
        form.add_rows()
        return _render_form(course, form, None, 200)
    if form.validate_on_submit():
        try:
            question = authoring.create_question(
                course, form.question(form.key.data or ""), current_staff()
            )
        except QuestionRejected as exc:
            form.show_problems(exc.problems)
        else:
            session.commit()
            flash(_("已新建题目 %(key)s。", key=question.key), "success")
            _flash_warnings(course, question)
            return redirect(url_for(".preview_question", slug=slug, key=question.key))
    return _render_form(course, form, None, 400)


@bp.route("/trainer/courses/<slug>/questions/<key>/edit", methods=["GET", "POST"])
@requires("trainer", "admin")
def edit_question(slug: str, key: str):
    course = catalog.course_or_404(slug)
    question = authoring.question_or_404(course, key)
    form_class = QUESTION_FORMS[question.type]
    if request.method == "GET":
        data = question.versions[-1].data
        form = form_class(data=form_class.initial(data, question.difficulty))
        form.base_version.data = str(question.current_version)
    else:
        form = form_class()
    form.section.choices = _section_choices(course, form.section.data or "")
    if not form.is_submitted():
        form.pad_rows()
        return _render_form(course, form, question, 200)
    if form.more.data:
        form.add_rows()
        return _render_form(course, form, question, 200)
    if form.validate_on_submit():
        base = form.base_version.data
        try:
            changes = authoring.edit_question(
                course,
                question,
                form.question(question.key),
                current_staff(),
                base_version=int(base) if base and base.isdigit() else None,
            )
        except QuestionRejected as exc:
            form.show_problems(exc.problems)
            # Seen the conflict: saving again deliberately replaces the other person's version.
            form.base_version.data = str(question.current_version)
        else:
            session.commit()
            if changes:
                flash(
                    _(
                        "已保存 %(key)s(第 %(version)s 版)。",
                        key=question.key,
                        version=question.current_version,
                    ),
                    "success",
                )
            else:
                flash(_("内容没有变化，未保存新版本。"), "success")
            _flash_warnings(course, question)
            return redirect(url_for(".preview_question", slug=slug, key=question.key))
    return _render_form(course, form, question, 400)


@bp.get("/trainer/courses/<slug>/questions/<key>/preview")
@requires("trainer", "admin")
def preview_question(slug: str, key: str):
    course = catalog.course_or_404(slug)
    question = authoring.question_or_404(course, key)
    number = request.args.get("version", question.current_version, type=int)
    version = next((v for v in question.versions if v.version == number), None)
    if version is None:
        abort(404)
    seed = request.args.get("seed", PREVIEW_SEED, type=int)
    presentation = grading.present(version.data, random.Random(seed))
    show_answers = request.args.get("answers") == "1"
    return render_template(
        "lms/trainer/preview.html",
        course=course,
        question=question,
        version=version,
        seed=seed,
        view=grading.learner_view(version.data, presentation),
        sheet=authoring.answer_sheet(version.data, presentation) if show_answers else None,
        show_answers=show_answers,
        type_labels=TYPE_LABELS,
        origin_labels=ORIGIN_LABELS,
        form=FlaskForm(),
    )


def _retire_or_restore(slug: str, key: str, retire: bool):
    course = catalog.course_or_404(slug)
    question = authoring.question_or_404(course, key)
    if not FlaskForm().validate_on_submit():
        abort(400)
    change = authoring.retire_question if retire else authoring.restore_question
    if change(question, current_staff()):
        session.commit()
        flash(
            _("已停用 %(key)s：以后的测验不再抽到它，已有的作答记录不受影响。", key=key)
            if retire
            else _("已恢复 %(key)s：以后的测验会再抽到它。", key=key),
            "success",
        )
    return redirect(url_for(".questions", slug=slug, retired="1" if retire else None))


@bp.post("/trainer/courses/<slug>/questions/<key>/retire")
@requires("trainer", "admin")
def retire_question(slug: str, key: str):
    return _retire_or_restore(slug, key, True)


@bp.post("/trainer/courses/<slug>/questions/<key>/restore")
@requires("trainer", "admin")
def restore_question(slug: str, key: str):
    return _retire_or_restore(slug, key, False)


@bp.route("/trainer/courses/<slug>/settings", methods=["GET", "POST"])
@requires("trainer", "admin")
def quiz_settings(slug: str):
    course = catalog.course_or_404(slug)
    form = QuizSettingsForm(obj=course)
    if form.validate_on_submit():
        if authoring.update_quiz_settings(course, form.values(), current_staff()):
            session.commit()
            flash(_("测验设置已保存。"), "success")
        else:
            flash(_("设置没有变化。"), "success")
        return redirect(url_for(".quiz_settings", slug=slug))
    active = authoring.active_count(course)
    return render_template("lms/trainer/settings.html", course=course, form=form, active=active), (
        400 if form.errors else 200
    )


@bp.get("/trainer/courses/<slug>/statistics")
@requires("trainer", "admin")
def statistics(slug: str):
    course = catalog.course_or_404(slug)
    questions, stats = course_statistics(course)
    flagged = [
        q for q in questions if q.id in stats and set(stats[q.id].overall.flags) - {"few_attempts"}
    ]
    return render_template(
        "lms/trainer/statistics.html",
        course=course,
        questions=questions,
        stats=stats,
        flagged=flagged,
        flag_labels=FLAG_LABELS,
        type_labels=TYPE_LABELS,
        min_attempts=MIN_ATTEMPTS,
        suspects=course_suspects(course),
        suggest_min=SUGGEST_MIN_ATTEMPTS,
        easy=EASY_FACILITY,
        hard=HARD_FACILITY,
    )
