"""course completion rule: what must be done before the quiz, and the rule's version

Revision ID: c4d5e6f7a8b9
Revises: 3b9e1f0c7a21
Create Date: 2026-12-07 00:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4d5e6f7a8b9"
down_revision = "3b9e1f0c7a21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "completion",
                sa.JSON(),
                server_default='{"lessons": "all", "min_seconds": 0}',
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("completion_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("lms_courses", schema=None) as batch_op:
        batch_op.drop_column("completion_version")
        batch_op.drop_column("completion")
