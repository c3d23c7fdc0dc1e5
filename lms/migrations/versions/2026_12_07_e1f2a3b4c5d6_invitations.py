"""invitations: one-time activation and reset tokens, stored hashed; staff last login

Revision ID: e1f2a3b4c5d6
Revises: d7e8f9a0b1c2
Create Date: 2026-12-07 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e1f2a3b4c5d6"
down_revision = "d7e8f9a0b1c2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_invitations_created_by_id_lms_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_invitations_staff_id_lms_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lms_invitations_token_hash")),
    )
    with op.batch_alter_table("lms_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_invitations_expires_at"), ["expires_at"])
        batch_op.create_index(batch_op.f("ix_lms_invitations_staff_id"), ["staff_id"])
    with op.batch_alter_table("lms_staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("lms_staff", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
    with op.batch_alter_table("lms_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_invitations_staff_id"))
        batch_op.drop_index(batch_op.f("ix_lms_invitations_expires_at"))
    op.drop_table("lms_invitations")
