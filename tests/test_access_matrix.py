"""Walks the whole URL map: every LMS route declares its roles, and each role gets exactly that."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import login

LEARNERS = {"learner", "trainer", "hr", "admin"}
PUBLIC = "public"
OWN_ATTEMPT = "own attempt"  # any learner role, but only on their own attempt
OWN_CERT = "own certificate"  # any learner role on their own certificate; HR and admins on anyone's
# endpoint -> roles admitted ("public": anyone). An owner rule also admits the person named in the URL.
EXPECTED: dict[str, object] = {
    "lms.static": PUBLIC,
    "lms.set_language": PUBLIC,
    "lms_auth.login": PUBLIC,
    "lms_auth.logout": PUBLIC,
    "lms_invite.activate": PUBLIC,
    "lms_invite.activate_by_code": PUBLIC,
    "lms_invite.reset_request": PUBLIC,
    "lms_invite.invite_selected": {"hr", "admin"},
    "lms_invite.revoke_invitation": {"hr", "admin"},
    "lms_courses.dashboard": LEARNERS,
    "lms_courses.learner_dashboard": LEARNERS,
    "lms_courses.course": LEARNERS,
    "lms_courses.lesson": LEARNERS,
    "lms_courses.complete_lesson": LEARNERS,
    "lms_courses.lesson_viewed": LEARNERS,
    "lms_quiz.start": LEARNERS,
    "lms_quiz.attempt": OWN_ATTEMPT,
    "lms_quiz.save": OWN_ATTEMPT,
    "lms_quiz.submit": OWN_ATTEMPT,
    "lms_quiz.result": OWN_ATTEMPT,
    "lms_trainer.banks": {"trainer", "admin"},
    "lms_trainer.questions": {"trainer", "admin"},
    "lms_qimport.upload": {"trainer", "admin"},
    "lms_qimport.preview": {"trainer", "admin"},
    "lms_qimport.confirm": {"trainer", "admin"},
    "lms_qimport.export": {"trainer", "admin"},
    "lms_qimport.sheet_template": {"trainer", "admin"},
    "lms_trainer.new_question": {"trainer", "admin"},
    "lms_trainer.edit_question": {"trainer", "admin"},
    "lms_trainer.preview_question": {"trainer", "admin"},
    "lms_trainer.retire_question": {"trainer", "admin"},
    "lms_trainer.restore_question": {"trainer", "admin"},
    "lms_trainer.quiz_settings": {"trainer", "admin"},
    "lms_trainer.statistics": {"trainer", "admin"},
    "lms_staff.staff_list": {"hr", "admin"},
    "lms_staff.staff_detail": {"hr", "admin"},
    "lms_staff.staff_import": {"hr", "admin"},
    "lms_staff.staff_import_confirm": {"hr", "admin"},
    "lms_staff.staff_edit": {"hr", "admin"},
    "lms_staff.staff_deactivate": {"hr", "admin"},
    "lms_staff.staff_reactivate": {"hr", "admin"},
    "lms_staff.staff_roles": {"admin"},
    "lms_audit.audit_log": {"hr", "admin"},
    "lms_audit.audit_export": {"hr", "admin"},
    "lms_audit.lockouts": {"admin"},
    "lms_audit.lift_lockout": {"admin"},
    "lms_plan.matrix": {"hr", "admin"},
    "lms_plan.matrix_export": {"hr", "admin"},
    "lms_plan.overdue": {"hr", "admin"},
    "lms_plan.overdue_export": {"hr", "admin"},
    "lms_plan.expiring": {"hr", "admin"},
    "lms_plan.expiring_export": {"hr", "admin"},
    "lms_plan.departments": {"hr", "admin"},
    "lms_plan.departments_svg": {"hr", "admin"},
    "lms_plan.departments_export": {"hr", "admin"},
    "lms_plan.xapi_export": {"hr", "admin"},
    "lms_plan.requirement_list": {"hr", "admin"},
    "lms_plan.requirement_new": {"hr", "admin"},
    "lms_plan.requirement_edit": {"hr", "admin"},
    "lms_plan.requirement_retire": {"hr", "admin"},
    "lms_plan.person": {"hr", "admin"},
    "lms_plan.exempt": {"hr", "admin"},
    "lms_plan.lift_exemption": {"hr", "admin"},
    "lms_plan.extend": {"hr", "admin"},
    "lms_plan.signoffs": {"trainer", "admin"},
    "lms_plan.signoff": {"trainer", "admin"},
    "lms_api.openapi": PUBLIC,
    "lms_api.verify_certificate": PUBLIC,
    "lms_api.me": LEARNERS,
    "lms_api.courses": LEARNERS,
    "lms_api.course": LEARNERS,
    "lms_api.lesson": LEARNERS,
    "lms_api.complete_lesson": LEARNERS,
    "lms_api.view_lesson": LEARNERS,
    "lms_api.start_attempt": LEARNERS,
    "lms_api.attempt": OWN_ATTEMPT,
    "lms_api.save_answer": OWN_ATTEMPT,
    "lms_api.submit_attempt": OWN_ATTEMPT,
    "lms_api.attempt_result": OWN_ATTEMPT,
    "lms_certs.mine": LEARNERS,
    "lms_certs.claim": LEARNERS,
    "lms_certs.download": OWN_CERT,
    "lms_certs.certificates": {"hr", "admin"},
    "lms_certs.detail": {"hr", "admin"},
    "lms_certs.revoke": {"hr", "admin"},
    "lms_certs.reissue": {"hr", "admin"},
    "lms_certs.batch_create": {"hr", "admin"},
    "lms_certs.batch": {"hr", "admin"},
    "lms_certs.batch_status": {"hr", "admin"},
    "lms_certs.batch_download": {"hr", "admin"},
    "lms_certs.verify_form": PUBLIC,
    "lms_certs.verify": PUBLIC,
}
OWNER_RULES = {"lms_staff.staff_detail": "employee_no", "lms_plan.person": "employee_no"}
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
        elif expected in (OWN_ATTEMPT, OWN_CERT):
            assert access.roles == LEARNERS, rule.endpoint
        else:
            assert access.roles == expected, rule.endpoint
            assert access.owner == OWNER_RULES.get(rule.endpoint), rule.endpoint


def _url_values(rule, other) -> dict[str, object]:
    values = {"slug": "basics", "lesson_slug": "greeting", "filename": "lms.css"}
    values["employee_no"] = other.employee_no
    values["attempt_id"] = other.attempt_id
    values["requirement_id"] = other.requirement_id  # a plan requirement needing a sign-off
    values["fmt"] = "csv"  # plan exports
    values["position"] = 1  # API: a question of that attempt
    values["serial"] = "NO-SUCH-SERIAL"
    values["key"] = "bas-001"  # a question of the fixture bank
    values["qtype"] = "single"
    values["serial"] = other.serial  # certificates: the other person's certificate and a batch
    values["cert_id"] = other.cert_id
    values["batch_id"] = other.batch_id
    values["token"] = "no-such-token"  # an activation link
    return {arg: values[arg] for arg in rule.arguments}


def _plan_requirement(course_id: int) -> int:
    from lms.plan.requirements import create_requirement

    values = {"course_id": course_id, "due_days_after_hire": 30, "needs_signoff": True}
    return create_requirement(values | {"checklist": ["八齿微笑"]}, None).id


def _other_person_with_an_attempt(app, make_staff):
    from lms.courses.catalog import course_or_404
    from lms.quizzes.attempts import start_or_resume

    other = make_staff(("learner",), employee_no="OTHER-1")
    with app.test_request_context():
        other.attempt_id = start_or_resume(other, course_or_404("basics")).id
        other.requirement_id = _plan_requirement(course_or_404("basics").id)
        other.cert_id, other.serial, other.batch_id = _certificate_and_batch(other)
    return other


def _certificate_and_batch(other) -> tuple[int, str, int]:
    """A stored certificate of ``other`` (not rendered: the walk only needs the row) and a batch."""
    from datetime import date

    from lms.certificates.models import Certificate, CertificateBatch
    from lms.certificates.serials import new_serial
    from lms.courses.catalog import course_or_404
    from lms.db import session

    cert = Certificate(
        serial=new_serial(),
        staff_id=other.id,
        course_id=course_or_404("basics").id,
        issued_on=date.today(),
        snapshot={"name": "他人", "course_title": "服务基础"},
        pdf=b"%PDF-1.7 stub",
        sha256="0" * 64,
    )
    batch = CertificateBatch(format="pdf", status="done", total=1, done=1, result=b"%PDF-1.7")
    session.add_all([cert, batch])
    session.commit()
    return cert.id, cert.serial, batch.id


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
            elif role is None and rule.endpoint.startswith("lms_api."):
                # The JSON API answers anonymous callers 401 with a JSON error, never a redirect.
                assert response.status_code == 401 and response.is_json, where
            elif role is None:
                assert response.status_code == 302, where
                assert "/lms/login" in response.location, where
            elif expected == OWN_ATTEMPT:
                assert response.status_code == 403, where
            elif expected == OWN_CERT:
                assert response.status_code == (200 if role in ("hr", "admin") else 403), where
            elif role in expected:
                assert response.status_code in (200, 201, 204, 302, 400), where  # 201: API start
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
