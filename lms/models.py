"""Imports every model so that the metadata is complete for migrations and ``create_all``."""

from lms.api.models import ApiToken
from lms.audit.models import AuditEntry
from lms.auth.models import ROLES, Staff, StaffRole
from lms.certificates.models import Certificate, CertificateBatch
from lms.courses.models import Course, Lesson, LessonProgress
from lms.invitations.models import Invitation
from lms.plan.models import Exemption, Extension, Requirement, SentReminder, Signoff
from lms.quizzes.import_drafts import ImportDraft
from lms.quizzes.models import Attempt, Question, QuestionBank, QuestionVersion, Response
from lms.staff.models import StaffChange

__all__ = [
    "ROLES",
    "ApiToken",
    "Attempt",
    "AuditEntry",
    "Certificate",
    "CertificateBatch",
    "Course",
    "Exemption",
    "Extension",
    "ImportDraft",
    "Invitation",
    "Lesson",
    "LessonProgress",
    "Question",
    "QuestionBank",
    "QuestionVersion",
    "Requirement",
    "Response",
    "SentReminder",
    "Signoff",
    "Staff",
    "StaffChange",
    "StaffRole",
]
