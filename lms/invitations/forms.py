from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from lms.i18n import lazy_gettext as _l


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("新密码(至少 10 个字符)"), validators=[DataRequired(), Length(max=200)]
    )
    confirm = PasswordField(
        _l("再输入一次"),
        validators=[DataRequired(), EqualTo("password", message=_l("两次输入的密码不一致。"))],
    )
    submit = SubmitField(_l("设置密码并登录"))


class CodeForm(SetPasswordForm):
    """The slip's code typed by hand, with the employee number it belongs to."""

    employee_no = StringField(_l("工号"), validators=[DataRequired(), Length(max=64)])
    code = StringField(_l("激活码"), validators=[DataRequired(), Length(max=32)])


class ResetRequestForm(FlaskForm):
    email = StringField(_l("邮箱"), validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("发送重设链接"))
