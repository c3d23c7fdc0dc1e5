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
from lms.dates import SaneDate
from lms.i18n import lazy_gettext as _l

ROLE_LABELS = {
    "learner": _l("学员"),
    "trainer": _l("培训师"),
    "hr": _l("人力资源"),
    "admin": _l("管理员"),
}


class StaffImportForm(FlaskForm):
    file = FileField(
        _l("员工名单(Excel .xlsx 或 CSV)"),
        validators=[
            FileRequired(),
            FileAllowed(["csv", "xlsx"], _l("只接受 .csv 文件或 .xlsx 文件")),
        ],
    )
    skip_bad = BooleanField(_l("跳过有错误的行，导入其余各行"))
    submit = SubmitField(_l("预览"))


class StaffImportConfirmForm(FlaskForm):
    """The previewed file travels back compressed in the form; it is validated again on confirm."""

    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    skip_bad = HiddenField()
    submit = SubmitField(_l("确认导入"))


class StaffEditForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("姓名不能为空。")), Length(max=200)])
    email = StringField(
        _l("邮箱"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("邮箱格式不正确。")),
            Length(max=255),
        ],
    )
    department = StringField(_l("部门"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("岗位"), validators=[Optional(), Length(max=200)])
    hire_date = DateField(_l("入职日期"), validators=[Optional(), SaneDate()])
    manager_no = StringField(
        _l("上级工号"),
        validators=[
            Optional(),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", message=_l("工号只能包含字母、数字、. _ -")
            ),
        ],
    )
    reason = StringField(_l("修改原因(可选，记入历史)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("保存"))


class StaffActiveForm(FlaskForm):
    reason = StringField(_l("原因(记入历史)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("确定"))


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("角色"),
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    submit = SubmitField(_l("保存"))
