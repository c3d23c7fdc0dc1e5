"""Imports every model so that the metadata is complete for migrations and ``create_all``."""

from lms.audit.models import AuditEntry
from lms.auth.models import ROLES, Staff, StaffRole
from lms.certificates.models import Certificate
from lms.courses.models import Course, Lesson, LessonProgress
from lms.plan.models import Requirement
from lms.quizzes.models import Attempt, Question, QuestionBank, QuestionVersion, Response

__all__ = [
    "ROLES",
    "Attempt",
    "AuditEntry",
    "Certificate",
    "Course",
    "Lesson",
    "LessonProgress",
    "Question",
    "QuestionBank",
    "QuestionVersion",
    "Requirement",
    "Response",
    "Staff",
    "StaffRole",
]
