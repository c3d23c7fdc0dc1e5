"""import drafts keep their parse: a question file is parsed once, at upload

Revision ID: 3b9e1f0c7a21
Revises: b2e4d6f8a0c1
Create Date: 2026-12-06 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3b9e1f0c7a21"
down_revision = "b2e4d6f8a0c1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_question_import_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parsed", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("lms_question_import_drafts", schema=None) as batch_op:
        batch_op.drop_column("parsed")
