from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectMultipleField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice

from lms.auth.models import ROLES

ROLE_LABELS = {"learner": "学员", "trainer": "培训师", "hr": "人力资源", "admin": "管理员"}


class StaffImportForm(FlaskForm):
    file = FileField(
        "员工名单(CSV,UTF-8)",
        validators=[FileRequired(), FileAllowed(["csv"], "只接受 .csv 文件")],
    )
    skip_bad = BooleanField("跳过有错误的行,导入其余各行")
    submit = SubmitField("导入")


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        "角色",
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    submit = SubmitField("保存")
