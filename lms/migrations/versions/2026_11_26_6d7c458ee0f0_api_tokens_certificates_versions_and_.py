"""api tokens, certificates versions and batches, question import drafts, training plan, staff history

Revision ID: 6d7c458ee0f0
Revises: b6fa02ab35c5
Create Date: 2026-11-26 11:30:27.960720
"""

import sqlalchemy as sa
from alembic import op

revision = "6d7c458ee0f0"
down_revision = "b6fa02ab35c5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["lms_staff.id"], name=op.f("fk_lms_api_tokens_staff_id_lms_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lms_api_tokens_token_hash")),
    )
    with op.batch_alter_table("lms_api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_api_tokens_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "lms_certificate_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.Column("result_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_certificate_batches_created_by_id_lms_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_certificate_batches")),
    )
    with op.batch_alter_table("lms_certificate_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_certificate_batches_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "lms_question_import_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("fmt", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["lms_courses.id"],
            name=op.f("fk_lms_question_import_drafts_course_id_lms_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_question_import_drafts_staff_id_lms_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_question_import_drafts")),
        sa.UniqueConstraint("token", name=op.f("uq_lms_question_import_drafts_token")),
    )
    with op.batch_alter_table("lms_question_import_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_question_import_drafts_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "lms_staff_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old", sa.String(length=255), nullable=True),
        sa.Column("new", sa.String(length=255), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_staff_changes_changed_by_id_lms_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["lms_staff.id"], name=op.f("fk_lms_staff_changes_staff_id_lms_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_staff_changes")),
    )
    with op.batch_alter_table("lms_staff_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_staff_changes_changed_at"), ["changed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lms_staff_changes_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "lms_plan_exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_plan_exemptions_created_by_id_lms_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["lms_plan_requirements.id"],
            name=op.f("fk_lms_plan_exemptions_requirement_id_lms_plan_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_plan_exemptions_revoked_by_id_lms_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["lms_staff.id"], name=op.f("fk_lms_plan_exemptions_staff_id_lms_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_plan_exemptions")),
    )
    with op.batch_alter_table("lms_plan_exemptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_plan_exemptions_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lms_plan_exemptions_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "lms_plan_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_plan_extensions_created_by_id_lms_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["lms_plan_requirements.id"],
            name=op.f("fk_lms_plan_extensions_requirement_id_lms_plan_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["lms_staff.id"], name=op.f("fk_lms_plan_extensions_staff_id_lms_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_plan_extensions")),
    )
    with op.batch_alter_table("lms_plan_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_plan_extensions_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lms_plan_extensions_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "lms_plan_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("manager_email", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["lms_plan_requirements.id"],
            name=op.f("fk_lms_plan_reminders_requirement_id_lms_plan_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["lms_staff.id"], name=op.f("fk_lms_plan_reminders_staff_id_lms_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_plan_reminders")),
        sa.UniqueConstraint(
            "staff_id",
            "requirement_id",
            "due_on",
            "kind",
            name=op.f("uq_lms_plan_reminders_staff_id_requirement_id_due_on_kind"),
        ),
    )
    with op.batch_alter_table("lms_plan_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_plan_reminders_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "lms_plan_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("observer_id", sa.Integer(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observer_id"],
            ["lms_staff.id"],
            name=op.f("fk_lms_plan_signoffs_observer_id_lms_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["lms_plan_requirements.id"],
            name=op.f("fk_lms_plan_signoffs_requirement_id_lms_plan_requirements"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["lms_staff.id"], name=op.f("fk_lms_plan_signoffs_staff_id_lms_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_plan_signoffs")),
    )
    with op.batch_alter_table("lms_plan_signoffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_plan_signoffs_requirement_id"), ["requirement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lms_plan_signoffs_staff_id"), ["staff_id"], unique=False
        )

    with op.batch_alter_table("lms_certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("content_versions", sa.JSON(), server_default="{}", nullable=False)
        )
        batch_op.add_column(sa.Column("html", sa.Text(), nullable=True))
        batch_op.drop_constraint(
            batch_op.f("uq_lms_certificates_staff_id_course_id_cycle"), type_="unique"
        )
        batch_op.create_index(
            batch_op.f("ix_lms_certificates_issued_on"), ["issued_on"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_lms_certificates_staff_id_course_id_cycle_version"),
            ["staff_id", "course_id", "cycle", "version"],
        )

    with op.batch_alter_table("lms_plan_requirements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("needs_signoff", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("checklist", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retired_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lms_plan_requirements_updated_by_id_lms_staff"),
            "lms_staff",
            ["updated_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lms_plan_requirements_retired_by_id_lms_staff"),
            "lms_staff",
            ["retired_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("lms_plan_requirements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_lms_plan_requirements_retired_by_id_lms_staff"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_lms_plan_requirements_updated_by_id_lms_staff"), type_="foreignkey"
        )
        batch_op.drop_column("retired_by_id")
        batch_op.drop_column("updated_by_id")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("note")
        batch_op.drop_column("checklist")
        batch_op.drop_column("needs_signoff")
        batch_op.drop_column("starts_on")

    with op.batch_alter_table("lms_certificates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_lms_certificates_staff_id_course_id_cycle_version"), type_="unique"
        )
        batch_op.drop_index(batch_op.f("ix_lms_certificates_issued_on"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_lms_certificates_staff_id_course_id_cycle"),
            ["staff_id", "course_id", "cycle"],
        )
        batch_op.drop_column("html")
        batch_op.drop_column("content_versions")
        batch_op.drop_column("version")

    with op.batch_alter_table("lms_plan_signoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_plan_signoffs_staff_id"))
        batch_op.drop_index(batch_op.f("ix_lms_plan_signoffs_requirement_id"))

    op.drop_table("lms_plan_signoffs")
    with op.batch_alter_table("lms_plan_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_plan_reminders_staff_id"))

    op.drop_table("lms_plan_reminders")
    with op.batch_alter_table("lms_plan_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_plan_extensions_staff_id"))
        batch_op.drop_index(batch_op.f("ix_lms_plan_extensions_requirement_id"))

    op.drop_table("lms_plan_extensions")
    with op.batch_alter_table("lms_plan_exemptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_plan_exemptions_staff_id"))
        batch_op.drop_index(batch_op.f("ix_lms_plan_exemptions_requirement_id"))

    op.drop_table("lms_plan_exemptions")
    with op.batch_alter_table("lms_staff_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_staff_changes_staff_id"))
        batch_op.drop_index(batch_op.f("ix_lms_staff_changes_changed_at"))

    op.drop_table("lms_staff_changes")
    with op.batch_alter_table("lms_question_import_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_question_import_drafts_staff_id"))

    op.drop_table("lms_question_import_drafts")
    with op.batch_alter_table("lms_certificate_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_certificate_batches_created_at"))

    op.drop_table("lms_certificate_batches")
    with op.batch_alter_table("lms_api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_api_tokens_staff_id"))

    op.drop_table("lms_api_tokens")
