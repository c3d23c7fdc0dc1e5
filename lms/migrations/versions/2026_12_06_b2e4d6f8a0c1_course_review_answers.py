"""course review policy: when the result shows keyed answers

Revision ID: b2e4d6f8a0c1
Revises: a1f3c9d2e4b5
Create Date: 2026-12-06 23:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b2e4d6f8a0c1"
down_revision = "a1f3c9d2e4b5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_answers", sa.String(length=16), server_default="pass", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("lms_courses", schema=None) as batch_op:
        batch_op.drop_column("review_answers")
