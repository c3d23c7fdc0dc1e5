"""Completions exported as xAPI statements: passed / failed / completed, with score and duration."""

from __future__ import annotations

import json
from datetime import date

from lms.plan.xapi import iso_duration
from tests import plan_helpers as h
from tests.conftest import login


def test_iso_durations():
    assert iso_duration(750) == "PT12M30S"
    assert iso_duration(3600) == "PT1H"
    assert iso_duration(0) == "PT0S"


def test_statements_for_attempts_and_certificates(app, client, make_staff, runner, tmp_path):
    app.config["LMS_PLAN_SITE_URL"] = "https://lms.example.org"
    with app.app_context():
        learner = h.person(employee_no="N001", name="陈静", email="chen@example.org")
        h.attempt(learner.id, date(2026, 2, 1), passed=False, score=40.0)
        passed = h.attempt(learner.id, date(2026, 2, 3), passed=True, score=85.0)
        h.certificate(learner.id, date(2026, 2, 3), attempt_id=passed.id)
        h.certificate(learner.id, date(2025, 1, 1), revoked=True)  # revoked: no completion
    login(client, make_staff(("hr",)))
    response = client.get("/lms/plan/xapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    statements = response.get_json()
    verbs = [s["verb"]["display"]["en-US"] for s in statements]
    assert sorted(verbs) == ["completed", "failed", "passed"]
    failed, passed_st = (next(s for s in statements if s["verb"]["display"]["en-US"] == v)
                         for v in ("failed", "passed"))  # fmt: skip
    assert passed_st["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed_st["actor"] == {
        "objectType": "Agent",
        "name": "陈静",
        "account": {"homePage": "https://lms.example.org", "name": "N001"},
    }
    assert "mbox" not in json.dumps(statements)  # no e-mail addresses leave the building
    assert passed_st["object"]["id"] == "https://lms.example.org/lms/courses/basics/quiz"
    assert passed_st["result"] == {
        "success": True,
        "completion": True,
        "score": {"scaled": 0.85, "raw": 85.0, "min": 0, "max": 100},
        "duration": "PT12M30S",
    }
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] == 0.4
    completed = next(s for s in statements if s["verb"]["display"]["en-US"] == "completed")
    assert completed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    assert completed["result"]["score"]["raw"] == 85.0
    assert all(s["timestamp"].endswith("Z") for s in statements)
    # Exporting again gives the same statement ids (an LRS stores each once).
    again = client.get("/lms/plan/xapi.json").get_json()
    assert [s["id"] for s in again] == [s["id"] for s in statements]
    # Time window and the CLI.
    window = client.get("/lms/plan/xapi.json?since=2026-02-02").get_json()
    assert "failed" not in [s["verb"]["display"]["en-US"] for s in window]
    assert client.get("/lms/plan/xapi.json?since=yesterday").status_code == 400
    out = tmp_path / "xapi.json"
    result = runner.invoke(args=["lms", "export-xapi", "--since", "2026-01-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 statement(s)" in result.output
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 3
