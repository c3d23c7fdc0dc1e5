"""The OpenAPI 3.1 description of the learner API, served at ``/api/v1/openapi.json``.

Written by hand as a Python dict, next to the code it describes; ``tests/test_api_schema.py``
checks that every API route appears here with the same methods (and nothing more), that the
responses the tests receive validate against these schemas, and runs Schemathesis against it.
"""

from __future__ import annotations

import copy
from typing import Any

from lms.api.certificates import PROBLEMS, STATUSES
from lms.auth.models import ROLES
from lms.quizzes.models import QUESTION_TYPES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object schema; every listed property is required unless ``required`` narrows it."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}
DATE = {"type": ["string", "null"], "format": "date"}
SLUG = {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 100}

# An answer in shown positions, by question type: option index (single, scenario), list of option
# indices (multiple) or of step indices in order (ordering), true/false, text (short), or an
# object mapping a left item's index to a right item's index (matching). null: not answered.
ANSWER = {
    "anyOf": [
        {"type": "null"},
        {"type": "integer", "minimum": 0},
        {"type": "boolean"},
        {"type": "string"},
        {"type": "array", "items": {"type": "integer", "minimum": 0}},
        {
            "type": "object",
            "propertyNames": {"pattern": "^[0-9]+$"},
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
    ]
}
SHOWN_ITEMS = {"type": "array", "items": _ref("ShownItem")}

_COURSE_SUMMARY = {
    "slug": STRING,
    "title": STRING,
    "summary": STRING,
    "lessons_total": INTEGER,
    "lessons_completed": INTEGER,
    "pass_mark": INTEGER,
    "attempts_used": {"type": "integer", "description": "graded attempts"},
    "best_score": {"type": ["number", "null"]},
    "passed": BOOLEAN,
}
_ATTEMPT_SUMMARY = {
    "id": INTEGER,
    "course": STRING,
    "status": {"type": "string", "enum": ["open", "graded"]},
    "started_at": DATE_TIME,
    "deadline_at": DATE_TIME,
    "seconds_left": {"type": ["integer", "null"], "description": "open, timed attempts only"},
    "submitted_at": DATE_TIME,
    "graded_at": DATE_TIME,
    "score": {"type": ["number", "null"], "description": "0–100, once graded"},
    "passed": {"type": ["boolean", "null"]},
    "question_count": INTEGER,
    "expired": {
        "type": "boolean",
        "description": "open but out of time: POST submit grades what was saved by the deadline",
    },
    "timed_out": {"type": "boolean", "description": "graded because its time ran out"},
}
_QUESTION = {
    "position": INTEGER,
    "type": {"type": "string", "enum": list(QUESTION_TYPES)},
    "stem": STRING,
    "options": SHOWN_ITEMS,
    "steps": SHOWN_ITEMS,
    "lefts": SHOWN_ITEMS,
    "rights": SHOWN_ITEMS,
    "answer": ANSWER,
    "saved_at": DATE_TIME,
}
_QUESTION_REQUIRED = ["position", "type", "stem", "answer", "saved_at"]

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "properties": {
            "error": {"type": "string", "description": "stable code, e.g. attempt_closed"},
            "message": {"type": "string", "description": "human-readable, in Chinese"},
            "details": {"type": "object"},
        },
        "required": ["error", "message"],
        "additionalProperties": False,
    },
    "Me": _obj(
        {
            "employee_no": STRING,
            "name": STRING,
            "department": NULLABLE_STRING,
            "position": NULLABLE_STRING,
            "roles": {"type": "array", "items": {"type": "string", "enum": list(ROLES)}},
        }
    ),
    "CourseSummary": _obj(_COURSE_SUMMARY),
    "CourseList": _obj({"courses": {"type": "array", "items": _ref("CourseSummary")}}),
    "Course": _obj(
        _COURSE_SUMMARY
        | {
            "lessons": {"type": "array", "items": _ref("LessonSummary")},
            "quiz": _ref("QuizSettings"),
            "completion": _ref("Completion"),
            "open_attempt_id": {"type": ["integer", "null"]},
            "attempts": {"type": "array", "items": _ref("AttemptSummary")},
        }
    ),
    "LessonSummary": _obj(
        {
            "slug": STRING,
            "title": STRING,
            "minutes": INTEGER,
            "viewed": BOOLEAN,
            "completed": BOOLEAN,
        }
    ),
    "Completion": _obj(
        {
            "ready": {
                "type": "boolean",
                "description": "the course's completion rule holds: the quiz may start",
            },
            "lessons_required": {"type": "integer", "minimum": 0},
            "lessons_done": {
                "type": "integer",
                "minimum": 0,
                "description": "lessons counting towards the rule (never more than required)",
            },
            "missing": {
                "type": "array",
                "items": STRING,
                "description": "slugs of lessons still to complete (any of them, for a count rule)",
            },
        }
    ),
    "QuizSettings": _obj(
        {
            "questions_per_attempt": INTEGER,
            "pass_mark": INTEGER,
            "time_limit_minutes": {"type": "integer", "description": "0: no limit"},
            "max_attempts": {"type": "integer", "description": "0: no limit"},
            "cooldown_minutes": INTEGER,
            "review_answers": {"type": "string", "enum": ["pass", "always", "never"]},
        }
    ),
    "Lesson": _obj(
        {
            "course": STRING,
            "slug": STRING,
            "title": STRING,
            "minutes": INTEGER,
            "objectives": {"type": "array", "items": STRING},
            "html": {"type": "string", "description": "sanitised when the content was loaded"},
            "toc": {
                "type": "array",
                "items": _obj({"id": STRING, "title": STRING, "level": INTEGER}),
            },
            "completed": BOOLEAN,
            "previous": NULLABLE_STRING,
            "next": NULLABLE_STRING,
        }
    ),
    "LessonProgress": _obj(
        {
            "course": STRING,
            "slug": STRING,
            "completed": BOOLEAN,
            "lessons_completed": INTEGER,
            "lessons_total": INTEGER,
        }
    ),
    "AttemptSummary": _obj(_ATTEMPT_SUMMARY),
    "Attempt": _obj(_ATTEMPT_SUMMARY | {"questions": {"type": "array", "items": _ref("Question")}}),
    "ShownItem": _obj(
        {
            "index": {"type": "integer", "description": "shown position: answer with this"},
            "text": STRING,
        }
    ),
    "Question": {
        **_obj(_QUESTION, _QUESTION_REQUIRED),
        "description": "As shown to the learner: no right answer, grade or feedback.",
    },
    "ReviewItem": _obj(
        _QUESTION
        | {
            "correct_answer": ANSWER
            | {
                "description": "null when the course's review policy hides keyed answers "
                "(by default until the learner passes)"
            },
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "given": {"type": "string", "description": "the learner's answer in words"},
            "right": {
                "type": ["string", "null"],
                "description": "the right answer in words; null when hidden by the review policy",
            },
            "feedback": STRING,
            "option_feedback": {"type": "array", "items": STRING},
            "section": _obj({"lesson": STRING, "anchor": STRING}),
        },
        _QUESTION_REQUIRED
        + ["correct_answer", "score", "given", "right", "feedback", "option_feedback", "section"],
    ),
    "Result": _obj(
        {
            "attempt": _ref("AttemptSummary"),
            "pass_mark": INTEGER,
            "items": {"type": "array", "items": _ref("ReviewItem")},
        }
    ),
    "AnswerBody": {
        "type": "object",
        "properties": {"answer": ANSWER},
        "required": ["answer"],
    },
    "CertificateVerification": _obj(
        {
            "serial": STRING,
            "status": {"type": "string", "enum": list(STATUSES)},
            "problem": {
                "enum": [*PROBLEMS, None],
                "description": "why a serial is unknown: malformed, mistyped (check character), "
                "not_found",
            },
            "name": NULLABLE_STRING,
            "course_title": NULLABLE_STRING,
            "issued_on": DATE,
            "expires_on": DATE,
            "revoked_on": DATE,
        }
    ),
}

_ERROR_TEXT = {
    400: "Malformed request, or a session call without its CSRF token (`csrf_failed`)",
    401: "No valid bearer token or session (`unauthorized`, `invalid_token`)",
    403: "Not allowed, e.g. someone else's attempt",
    404: "No such resource",
    405: "Method not allowed",
    409: "Not possible in the current state",
    415: "The body must be JSON",
    422: "The body or the answer is invalid",
    500: "Unexpected server error",
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(ok: int, schema: str, description: str, *errors: int) -> dict[str, Any]:
    codes = sorted({401, 404, 405, 500, *errors})
    out = {str(ok): _json(_ref(schema), description)}
    out.update({str(code): _json(_ref("Error"), _ERROR_TEXT[code]) for code in codes})
    return out


def _path_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


SLUG_PARAM = _path_param("slug", SLUG, "course slug, e.g. `etiquette`")
LESSON_PARAM = _path_param("lesson_slug", SLUG, "lesson slug within the course")
ATTEMPT_PARAM = _path_param("attempt_id", {"type": "integer", "minimum": 0}, "attempt id")
POSITION_PARAM = _path_param(
    "position", {"type": "integer", "minimum": 0}, "question position in the attempt (from 1)"
)
SERIAL_PARAM = _path_param(
    "serial",
    {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 64},
    "certificate serial as printed",
)

PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "security": [],
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1 document")},
        }
    },
    "/me": {
        "get": {
            "operationId": "me",
            "summary": "Who is calling",
            "responses": _responses(200, "Me", "The authenticated staff member"),
        }
    },
    "/courses": {
        "get": {
            "operationId": "courses",
            "summary": "My courses with lesson progress, best score and whether I passed",
            "responses": _responses(200, "CourseList", "Active courses in order"),
        }
    },
    "/courses/{slug}": {
        "get": {
            "operationId": "course",
            "summary": "One course: lessons with progress, quiz settings, my attempts",
            "parameters": [SLUG_PARAM],
            "responses": _responses(200, "Course", "The course"),
        }
    },
    "/courses/{slug}/lessons/{lesson_slug}": {
        "get": {
            "operationId": "lesson",
            "summary": "Read a lesson (records the view)",
            "parameters": [SLUG_PARAM, LESSON_PARAM],
            "responses": _responses(200, "Lesson", "The lesson as sanitised HTML"),
        }
    },
    "/courses/{slug}/lessons/{lesson_slug}/view": {
        "post": {
            "operationId": "view_lesson",
            "summary": "Record that the learner opened the lesson (reading it with GET records nothing)",
            "parameters": [SLUG_PARAM, LESSON_PARAM],
            "responses": _responses(200, "LessonProgress", "Progress after the change", 400),
        }
    },
    "/courses/{slug}/lessons/{lesson_slug}/complete": {
        "post": {
            "operationId": "complete_lesson",
            "summary": "Mark a lesson as completed (idempotent)",
            "parameters": [SLUG_PARAM, LESSON_PARAM],
            "responses": _responses(200, "LessonProgress", "Progress after the change", 400),
        }
    },
    "/courses/{slug}/attempts": {
        "post": {
            "operationId": "start_attempt",
            "summary": "Start a quiz attempt, or resume the open one",
            "description": "201 with a new attempt, 200 when the open attempt is resumed. "
            "409 `completion_required` before the course's completion rule holds (lessons still "
            "to read; `details` as in the course's `completion`), "
            "409 `attempt_refused` when the attempt limit or cool-down forbids a new one.",
            "parameters": [SLUG_PARAM],
            "responses": {
                "200": _json(_ref("Attempt"), "The open attempt, resumed"),
                **_responses(201, "Attempt", "A new attempt", 400, 409),
            },
        }
    },
    "/attempts/{attempt_id}": {
        "get": {
            "operationId": "attempt",
            "summary": "An attempt with its questions and my saved answers",
            "description": "A timed-out open attempt is graded with its saved answers first.",
            "parameters": [ATTEMPT_PARAM],
            "responses": _responses(200, "Attempt", "The attempt", 403),
        }
    },
    "/attempts/{attempt_id}/answers/{position}": {
        "put": {
            "operationId": "save_answer",
            "summary": "Save one answer, in shown positions",
            "parameters": [ATTEMPT_PARAM, POSITION_PARAM],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("AnswerBody")}},
            },
            "responses": _responses(
                200, "Question", "The question with the answer as saved", 400, 403, 409, 415, 422
            ),
        }
    },
    "/attempts/{attempt_id}/submit": {
        "post": {
            "operationId": "submit_attempt",
            "summary": "Submit for grading (idempotent: a retry grades nothing twice)",
            "parameters": [ATTEMPT_PARAM],
            "responses": _responses(200, "AttemptSummary", "The graded attempt", 400, 403),
        }
    },
    "/attempts/{attempt_id}/result": {
        "get": {
            "operationId": "attempt_result",
            "summary": "The review: my answers, the right ones, feedback, lesson sections",
            "description": "409 `not_graded` until the attempt is submitted.",
            "parameters": [ATTEMPT_PARAM],
            "responses": _responses(200, "Result", "The graded attempt's review", 403, 409),
        }
    },
    "/certificates/{serial}/verify": {
        "get": {
            "operationId": "verify_certificate",
            "summary": "Verify a certificate by serial (public)",
            "description": "An unknown serial answers 200 with status `unknown`.",
            "security": [],
            "parameters": [SERIAL_PARAM],
            "responses": {
                "200": _json(_ref("CertificateVerification"), "What is known of the serial"),
                "405": _json(_ref("Error"), _ERROR_TEXT[405]),
                "500": _json(_ref("Error"), _ERROR_TEXT[500]),
            },
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Mingli learner API",
        "version": "1.0.0",
        "description": "Courses, lessons, quiz attempts and certificate verification for host "
        "apps and mobile clients. Errors are JSON `{error, message}` with a stable `error` code. "
        "Authenticate with `Authorization: Bearer <token>` (minted by `flask lms token create`) "
        "or the browser session; session calls that change something need the `X-CSRFToken` "
        "header. Answers use shown positions: the `index` of the items as listed.",
    },
    "servers": [{"url": "/lms/api/v1"}],
    "security": [{"bearerAuth": []}, {"sessionCookie": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
    },
}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The document, with ``servers`` pointing at where this app mounts the API."""
    document = copy.deepcopy(DOCUMENT)
    document["servers"] = [{"url": server_url}]
    return document
