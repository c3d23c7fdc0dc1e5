"""Learner pages: the dashboard, a course, a lesson."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from lms.auth.access import LEARNERS, requires
from lms.auth.identity import current_staff
from lms.courses import catalog
from lms.i18n import _, content, fill
from lms.plan.reports import person_plan
from lms.quizzes.attempts import attempts_of, eligibility_of, refusal_message

bp = Blueprint("lms_courses", __name__)


@bp.get("/")
@requires(*LEARNERS)
def dashboard():
    """The LMS root: HR's home for HR and admins, everyone else's courses and plan."""
    staff = current_staff()
    if staff.has_role("hr", "admin"):
        from lms.plan.home import DUE_DAYS, EXPIRING_DAYS, hr_home

        return render_template(
            "lms/hr_home.html", home=hr_home(), due_days=DUE_DAYS, expiring_days=EXPIRING_DAYS
        )
    return learner_dashboard()


@bp.get("/learn")
@requires(*LEARNERS)
def learner_dashboard():
    """Courses and one's own plan (HR's and admins' one click from their home)."""
    staff = current_staff()
    courses = catalog.active_courses()
    progress = catalog.course_progress(staff, courses)
    plan = person_plan(staff)
    return render_template("lms/dashboard.html", courses=courses, progress=progress, plan=plan)


@bp.get("/courses/<slug>/")
@requires(*LEARNERS)
def course(slug: str):
    course = catalog.course_or_404(slug)
    staff = current_staff()
    done = catalog.completed_lesson_ids(staff)
    history = attempts_of(staff, course)
    allowed = eligibility_of(staff, course)
    return render_template(
        "lms/course.html",
        course=course,
        done=done,
        history=history,
        allowed=allowed,
        refusal=None if allowed.allowed else refusal_message(course, allowed),
        completion=catalog.completion_of(staff, course),
        form=FlaskForm(),
    )


@bp.get("/courses/<slug>/<lesson_slug>")
@requires(*LEARNERS)
def lesson(slug: str, lesson_slug: str):
    course = catalog.course_or_404(slug)
    lesson = catalog.lesson_or_404(course, lesson_slug)
    staff = current_staff()
    lessons = course.active_lessons
    index = lessons.index(lesson)
    return render_template(
        "lms/lesson.html",
        course=course,
        lesson=lesson,
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        completed=lesson.id in catalog.completed_lesson_ids(staff),
        form=FlaskForm(),
    )


@bp.post("/courses/<slug>/<lesson_slug>/viewed")
@requires(*LEARNERS)
def lesson_viewed(slug: str, lesson_slug: str):
    """The lesson page reports that it was shown (a GET never writes); 204, nothing to render."""
    course = catalog.course_or_404(slug)
    lesson = catalog.lesson_or_404(course, lesson_slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    catalog.record_view(current_staff(), lesson)
    return "", 204


@bp.post("/courses/<slug>/<lesson_slug>/complete")
@requires(*LEARNERS)
def complete_lesson(slug: str, lesson_slug: str):
    course = catalog.course_or_404(slug)
    lesson = catalog.lesson_or_404(course, lesson_slug)
    if FlaskForm().validate_on_submit():
        catalog.mark_complete(current_staff(), lesson)
        flash(fill(_("已完成：%(title)s"), title=content(lesson.title)), "success")
    lessons = course.active_lessons
    index = lessons.index(lesson)
    if index + 1 < len(lessons):
        return redirect(url_for(".lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    return redirect(url_for(".course", slug=slug))
