from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.i18n import CONTENT
from lms.i18n import lazy_gettext as _l

STATUS_CHOICES = [
    SelectChoice("", _l("全部状态")),
    SelectChoice("valid", _l("有效")),
    SelectChoice("expired", _l("已过期")),
    SelectChoice("revoked", _l("已撤销")),
    SelectChoice("superseded", _l("已被新版本取代")),
]
FORMAT_CHOICES = [
    SelectChoice("pdf", _l("合并为一个 PDF")),
    SelectChoice("zip", _l("ZIP：每人一个 PDF + 登记表 CSV")),
]


def _dates_in_order(form: FlaskForm, field: DateField) -> None:
    if field.data and form.issued_from.data and field.data < form.issued_from.data:
        raise ValidationError(_l("结束日期不能早于开始日期。"))


class CertificateFilterForm(FlaskForm):
    """The HR list's filter (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("姓名 / 工号 / 证书编号"), validators=[Optional(), Length(max=100)])
    department = SelectField(_l("部门"), choices=[], validate_choice=False, render_kw=CONTENT)
    course = SelectField(_l("课程"), choices=[], validate_choice=False, render_kw=CONTENT)
    status = SelectField(_l("状态"), choices=STATUS_CHOICES, default="", validate_choice=False)
    issued_from = DateField(_l("发证日期从"), validators=[Optional()])
    issued_to = DateField(_l("至"), validators=[Optional(), _dates_in_order])


class BatchForm(FlaskForm):
    """Print the listed filter: the filter travels in hidden fields, HR picks the format."""

    department = HiddenField()
    course = HiddenField()
    issued_from = DateField(validators=[Optional()])
    issued_to = DateField(validators=[Optional(), _dates_in_order])
    format = RadioField(
        _l("输出"), choices=FORMAT_CHOICES, validators=[DataRequired(_l("请选择输出格式。"))]
    )
    submit = SubmitField(_l("开始批量打印"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("撤销原因"), validators=[DataRequired(_l("请填写撤销原因。")), Length(max=500)]
    )
    submit = SubmitField(_l("撤销证书"))


class ReissueForm(FlaskForm):
    reason = TextAreaField(
        _l("补发原因(例如姓名更正、更换模板)"),
        validators=[DataRequired(_l("请填写补发原因。")), Length(max=500)],
    )
    submit = SubmitField(_l("补发新版本"))
