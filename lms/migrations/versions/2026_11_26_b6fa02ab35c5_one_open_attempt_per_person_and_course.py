"""one open attempt per person and course

Revision ID: b6fa02ab35c5
Revises: c263b871ee75
Create Date: 2026-11-26 10:56:52.539982
"""

import sqlalchemy as sa
from alembic import op

revision = "b6fa02ab35c5"
down_revision = "c263b871ee75"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_lms_attempts_one_open",
            ["staff_id", "course_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade():
    with op.batch_alter_table("lms_attempts", schema=None) as batch_op:
        batch_op.drop_index("uq_lms_attempts_one_open")
