from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.dates import SaneDate
from lms.i18n import CONTENT
from lms.i18n import lazy_gettext as _l
from lms.plan.models import DEFAULT_CHECKLIST


class RequirementForm(FlaskForm):
    course_id = SelectField(_l("课程"), coerce=int, validators=[InputRequired()], render_kw=CONTENT)
    department = StringField(_l("部门(留空表示所有部门)"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("岗位(留空表示所有岗位)"), validators=[Optional(), Length(max=200)])
    due_days_after_hire = IntegerField(
        _l("入职后多少天内完成"), validators=[Optional(), NumberRange(min=0, max=3650)]
    )
    due_date = DateField(_l("或固定截止日期"), validators=[Optional(), SaneDate()])
    starts_on = DateField(_l("开始执行日期(留空为今天)"), validators=[Optional(), SaneDate()])
    recertify_months = IntegerField(
        _l("每隔多少个月复训(留空表示一次性)"), validators=[Optional(), NumberRange(min=1, max=120)]
    )
    window_days = IntegerField(
        _l("证书到期前多少天可开始复训"), validators=[InputRequired(), NumberRange(min=0, max=3650)]
    )
    needs_signoff = BooleanField(_l("还需培训师现场观察签核"))
    checklist = TextAreaField(
        _l("签核检查项(每行一项)"), default="\n".join(DEFAULT_CHECKLIST), render_kw={"rows": 6}
    )
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("保存"))

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in (
                "course_id",
                "department",
                "position",
                "due_days_after_hire",
                "due_date",
                "starts_on",
                "recertify_months",
                "window_days",
                "needs_signoff",
                "checklist",
                "note",
            )  # fmt: skip
        }


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("原因"), validators=[DataRequired(_l("请填写原因。")), Length(max=2000)]
    )
    submit = SubmitField(_l("豁免"))


class ExtensionForm(FlaskForm):
    due_on = DateField(
        _l("新的截止日期"), validators=[InputRequired(_l("请填写新的截止日期。")), SaneDate()]
    )
    reason = TextAreaField(
        _l("原因"), validators=[DataRequired(_l("请填写原因。")), Length(max=2000)]
    )
    submit = SubmitField(_l("延期"))


class SignoffForm(FlaskForm):
    observed_on = DateField(
        _l("观察日期"), validators=[InputRequired(_l("请填写观察日期。")), SaneDate()]
    )
    items = SelectMultipleField(
        _l("观察到的表现(全部勾选才算通过)"),
        choices=[],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=True,
        render_kw=CONTENT,
    )
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("记录签核"))
