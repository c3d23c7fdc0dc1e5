"""Walks the whole URL map: every LMS route declares its roles, and each role gets exactly that."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import login

LEARNERS = {"learner", "trainer", "hr", "admin"}
PUBLIC = "public"
OWN_ATTEMPT = "own attempt"  # any learner role, but only on their own attempt
# endpoint -> roles admitted ("public": anyone). An owner rule also admits the person named in the URL.
EXPECTED: dict[str, object] = {
    "lms.static": PUBLIC,
    "lms_auth.login": PUBLIC,
    "lms_auth.logout": PUBLIC,
    "lms_courses.dashboard": LEARNERS,
    "lms_courses.course": LEARNERS,
    "lms_courses.lesson": LEARNERS,
    "lms_courses.complete_lesson": LEARNERS,
    "lms_quiz.start": LEARNERS,
    "lms_quiz.attempt": OWN_ATTEMPT,
    "lms_quiz.save": OWN_ATTEMPT,
    "lms_quiz.submit": OWN_ATTEMPT,
    "lms_quiz.result": OWN_ATTEMPT,
    "lms_trainer.banks": {"trainer", "admin"},
    "lms_trainer.questions": {"trainer", "admin"},
    "lms_staff.staff_list": {"hr", "admin"},
    "lms_staff.staff_detail": {"hr", "admin"},
    "lms_staff.staff_import": {"hr", "admin"},
    "lms_staff.staff_roles": {"admin"},
    "lms_audit.audit_log": {"admin"},
}
OWNER_RULES = {"lms_staff.staff_detail": "employee_no"}
ROLES = ("learner", "trainer", "hr", "admin")


def lms_rules(app: Flask):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0].startswith("lms")]
    # Logging out ends the session the walk runs in, so it goes last.
    return sorted(rules, key=lambda r: r.endpoint == "lms_auth.logout")


def test_every_rule_is_in_the_matrix_and_declares_its_access(app):
    endpoints = {rule.endpoint for rule in lms_rules(app)}
    assert endpoints == set(EXPECTED), "add new routes to EXPECTED with the roles they admit"
    for rule in lms_rules(app):
        if rule.endpoint == "lms.static":
            continue
        access = app.view_functions[rule.endpoint].lms_access
        expected = EXPECTED[rule.endpoint]
        if expected == PUBLIC:
            assert access.public, rule.endpoint
        elif expected == OWN_ATTEMPT:
            assert access.roles == LEARNERS, rule.endpoint
        else:
            assert access.roles == expected, rule.endpoint
            assert access.owner == OWNER_RULES.get(rule.endpoint), rule.endpoint


def _url_values(rule, other) -> dict[str, object]:
    values = {"slug": "basics", "lesson_slug": "greeting", "filename": "lms.css"}
    values["employee_no"] = other.employee_no
    values["attempt_id"] = other.attempt_id
    return {arg: values[arg] for arg in rule.arguments}


def _other_person_with_an_attempt(app, make_staff):
    from lms.courses.catalog import course_or_404
    from lms.quizzes.attempts import start_or_resume

    other = make_staff(("learner",), employee_no="OTHER-1")
    with app.test_request_context():
        other.attempt_id = start_or_resume(other, course_or_404("basics")).id
    return other


@pytest.mark.parametrize("role", [None, *ROLES])
def test_each_role_reaches_exactly_its_routes(app, make_staff, role):
    other = _other_person_with_an_attempt(app, make_staff)
    client = app.test_client()
    if role is not None:
        login(client, make_staff((role,)))
    for rule in lms_rules(app):
        expected = EXPECTED[rule.endpoint]
        path = app.url_map.bind("localhost").build(rule.endpoint, _url_values(rule, other))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={})
            response.close()
            where = f"{role} {method} {path} -> {response.status_code}"
            if expected == PUBLIC:
                assert response.status_code < 500 and response.status_code != 403, where
            elif role is None:
                assert response.status_code == 302, where
                assert "/lms/login" in response.location, where
            elif expected == OWN_ATTEMPT:
                assert response.status_code == 403, where
            elif role in expected:
                assert response.status_code in (200, 302, 400), where
                if response.status_code == 302:
                    assert "/lms/login" not in response.location, where
            else:
                assert response.status_code == 403, where


def test_a_learner_sees_only_their_own_record(app, make_staff):
    me = make_staff(("learner",))
    other = make_staff(("learner",))
    client = app.test_client()
    login(client, me)
    assert client.get(f"/lms/staff/{me.employee_no}").status_code == 200
    assert client.get(f"/lms/staff/{other.employee_no}").status_code == 403


def test_deactivated_staff_are_logged_out(app, make_staff):
    from lms.auth.models import Staff
    from lms.db import session

    me = make_staff(("learner",))
    client = app.test_client()
    login(client, me)
    with app.app_context():
        session.get(Staff, me.id).active = False
        session.commit()
    response = client.get("/lms/")
    assert response.status_code == 302 and "/lms/login" in response.location
