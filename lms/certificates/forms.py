from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

STATUS_CHOICES = [
    SelectChoice("", "全部状态"),
    SelectChoice("valid", "有效"),
    SelectChoice("expired", "已过期"),
    SelectChoice("revoked", "已撤销"),
    SelectChoice("superseded", "已被新版本取代"),
]
FORMAT_CHOICES = [
    SelectChoice("pdf", "合并为一个 PDF"),
    SelectChoice("zip", "ZIP:每人一个 PDF + 登记表 CSV"),
]


def _dates_in_order(form: FlaskForm, field: DateField) -> None:
    if field.data and form.issued_from.data and field.data < form.issued_from.data:
        raise ValidationError("结束日期不能早于开始日期。")


class CertificateFilterForm(FlaskForm):
    """The HR list's filter (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("姓名 / 工号 / 证书编号", validators=[Optional(), Length(max=100)])
    department = SelectField("部门", choices=[], validate_choice=False)
    course = SelectField("课程", choices=[], validate_choice=False)
    status = SelectField("状态", choices=STATUS_CHOICES, default="", validate_choice=False)
    issued_from = DateField("发证日期从", validators=[Optional()])
    issued_to = DateField("至", validators=[Optional(), _dates_in_order])


class BatchForm(FlaskForm):
    """Print the listed filter: the filter travels in hidden fields, HR picks the format."""

    department = HiddenField()
    course = HiddenField()
    issued_from = DateField(validators=[Optional()])
    issued_to = DateField(validators=[Optional(), _dates_in_order])
    format = RadioField(
        "输出", choices=FORMAT_CHOICES, validators=[DataRequired("请选择输出格式。")]
    )
    submit = SubmitField("开始批量打印")


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "撤销原因", validators=[DataRequired("请填写撤销原因。"), Length(max=500)]
    )
    submit = SubmitField("撤销证书")


class ReissueForm(FlaskForm):
    reason = TextAreaField(
        "补发原因(例如姓名更正、更换模板)",
        validators=[DataRequired("请填写补发原因。"), Length(max=500)],
    )
    submit = SubmitField("补发新版本")
