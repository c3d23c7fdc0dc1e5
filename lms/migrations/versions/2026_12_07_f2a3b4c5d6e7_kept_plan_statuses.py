"""kept plan statuses: one row per person and active requirement, each person's most urgent, the day

Revision ID: f2a3b4c5d6e7
Revises: e1f2a3b4c5d6
Create Date: 2026-12-07 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f2a3b4c5d6e7"
down_revision = "e1f2a3b4c5d6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_plan_statuses",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("position", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("certified_on", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("quiz_passed", sa.Boolean(), nullable=False),
        sa.Column("signoff_needed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["lms_plan_requirements.id"],
            name=op.f("fk_lms_plan_statuses_requirement_id_lms_plan_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["lms_staff.id"], name=op.f("fk_lms_plan_statuses_staff_id_lms_staff")
        ),
        sa.PrimaryKeyConstraint("staff_id", "requirement_id", name=op.f("pk_lms_plan_statuses")),
    )
    with op.batch_alter_table("lms_plan_statuses", schema=None) as batch_op:
        batch_op.create_index("ix_lms_plan_statuses_state_staff", ["state", "staff_id"])
        batch_op.create_index("ix_lms_plan_statuses_late_due", ["late", "due_on", "staff_id"])
        batch_op.create_index("ix_lms_plan_statuses_state_expires", ["state", "expires_on"])
        batch_op.create_index("ix_lms_plan_statuses_department_state", ["department", "state"])
        batch_op.create_index("ix_lms_plan_statuses_staff_sort", ["staff_id", "sort_key"])
        batch_op.create_index(
            "ix_lms_plan_statuses_requirement_sort", ["requirement_id", "sort_key"]
        )
    op.create_table(
        "lms_plan_person_urgency",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("employee_no", sa.String(length=64), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_plan_person_urgency_staff_id_lms_staff"),
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_lms_plan_person_urgency")),
    )
    with op.batch_alter_table("lms_plan_person_urgency", schema=None) as batch_op:
        batch_op.create_index("ix_lms_plan_person_urgency_sort", ["sort_key", "employee_no"])
    op.create_table(
        "lms_plan_status_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.Column("due_soon_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_plan_status_day")),
    )


def downgrade():
    op.drop_table("lms_plan_status_day")
    with op.batch_alter_table("lms_plan_person_urgency", schema=None) as batch_op:
        batch_op.drop_index("ix_lms_plan_person_urgency_sort")
    op.drop_table("lms_plan_person_urgency")
    with op.batch_alter_table("lms_plan_statuses", schema=None) as batch_op:
        for name in (
            "ix_lms_plan_statuses_requirement_sort",
            "ix_lms_plan_statuses_staff_sort",
            "ix_lms_plan_statuses_department_state",
            "ix_lms_plan_statuses_state_expires",
            "ix_lms_plan_statuses_late_due",
            "ix_lms_plan_statuses_state_staff",
        ):
            batch_op.drop_index(name)
    op.drop_table("lms_plan_statuses")
