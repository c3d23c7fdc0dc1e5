"""Issue 17 item 15: a GET never writes, the API says when it resumed, revocation dates in the
organisation's calendar, and HR's reasons stay with HR."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from lms.courses.models import LessonProgress
from lms.db import session
from lms.plan.models import Exemption
from lms.quizzes import attempts
from tests import plan_helpers as h
from tests.conftest import login


def progress_rows() -> int:
    return session.scalar(sa.select(sa.func.count(LessonProgress.staff_id))) or 0


def test_reading_a_lesson_writes_nothing_the_page_posts_the_view(app, client, make_staff):
    login(client, make_staff())
    page = client.get("/lms/courses/basics/greeting")
    assert page.status_code == 200 and "lms-lesson.js" in page.get_data(as_text=True)
    api = client.get("/lms/api/v1/courses/basics/lessons/greeting")
    assert api.status_code == 200
    with app.app_context():
        assert progress_rows() == 0
    assert client.post("/lms/courses/basics/greeting/viewed").status_code == 204
    with app.app_context():
        assert progress_rows() == 1


def test_the_api_records_a_view_only_when_asked(app, client, make_staff):
    login(client, make_staff())
    response = client.post("/lms/api/v1/courses/basics/lessons/greeting/view")
    assert response.status_code == 200 and response.json["completed"] is False
    with app.app_context():
        assert progress_rows() == 1


def test_a_start_that_lost_the_race_answers_200_not_201(app, client, make_staff, monkeypatch):
    login(client, make_staff())
    assert client.post("/lms/api/v1/courses/basics/attempts").status_code == 201
    # The second request did not see the open attempt (it was created a moment later by the first).
    monkeypatch.setattr(attempts, "attempts_of", lambda staff, course: [])
    again = client.post("/lms/api/v1/courses/basics/attempts")
    assert again.status_code == 200


def test_a_revocation_date_is_in_the_organisations_calendar(app):
    from lms import days

    # 20:00 UTC on 1 March is already 2 March in Beijing, where the issue date was counted.
    beijing = days.zone_named("Asia/Shanghai")
    assert days.local_date(datetime(2026, 3, 1, 20, 0), beijing) == date(2026, 3, 2)
    assert days.local_date(datetime(2026, 3, 1, 10, 0), beijing) == date(2026, 3, 1)


def test_a_learner_does_not_see_hrs_reason_on_their_own_plan(app, make_staff):
    person = make_staff(department="门诊部", hire_date=date(2026, 1, 1))
    with app.app_context():
        req = h.requirement()
        session.add(
            Exemption(
                staff_id=person.id,
                requirement_id=req.id,
                reason="病假期间由院办特批",
                granted_on=date(2026, 2, 1),
            )
        )
        session.commit()
    client = app.test_client()
    login(client, person)
    page = client.get("/lms/").get_data(as_text=True)
    assert "已豁免" in page or "豁免" in page
    assert "病假期间由院办特批" not in page
