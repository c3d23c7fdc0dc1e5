"""quiz layout per course, and whether an attempt was graded because its time ran out

Revision ID: d7e8f9a0b1c2
Revises: c4d5e6f7a8b9
Create Date: 2026-12-07 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d7e8f9a0b1c2"
down_revision = "c4d5e6f7a8b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quiz_layout", sa.String(length=16), server_default="auto", nullable=False)
        )
    with op.batch_alter_table("lms_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timed_out", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("lms_attempts", schema=None) as batch_op:
        batch_op.drop_column("timed_out")
    with op.batch_alter_table("lms_courses", schema=None) as batch_op:
        batch_op.drop_column("quiz_layout")
