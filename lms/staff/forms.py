from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.auth.models import ROLES

ROLE_LABELS = {"learner": "学员", "trainer": "培训师", "hr": "人力资源", "admin": "管理员"}


class StaffImportForm(FlaskForm):
    file = FileField(
        "员工名单(Excel .xlsx 或 CSV)",
        validators=[FileRequired(), FileAllowed(["csv", "xlsx"], "只接受 .csv 文件或 .xlsx 文件")],
    )
    skip_bad = BooleanField("跳过有错误的行,导入其余各行")
    submit = SubmitField("预览")


class StaffImportConfirmForm(FlaskForm):
    """The previewed file travels back compressed in the form; it is validated again on confirm."""

    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    skip_bad = HiddenField()
    submit = SubmitField("确认导入")


class StaffEditForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("姓名不能为空。"), Length(max=200)])
    email = StringField(
        "邮箱",
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="邮箱格式不正确。"),
            Length(max=255),
        ],
    )
    department = StringField("部门", validators=[Optional(), Length(max=200)])
    position = StringField("岗位", validators=[Optional(), Length(max=200)])
    hire_date = DateField("入职日期", validators=[Optional()])
    manager_no = StringField(
        "上级工号",
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", message="工号只能包含字母、数字、. _ -"),
        ],
    )
    reason = StringField("修改原因(可选,记入历史)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("保存")


class StaffActiveForm(FlaskForm):
    reason = StringField("原因(记入历史)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("确定")


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        "角色",
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    submit = SubmitField("保存")
