"""staff session generation: server-side revocation of login cookies

Revision ID: a1f3c9d2e4b5
Revises: 6d7c458ee0f0
Create Date: 2026-12-06 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a1f3c9d2e4b5"
down_revision = "6d7c458ee0f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("lms_staff", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
