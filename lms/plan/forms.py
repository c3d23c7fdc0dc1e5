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

from lms.plan.models import DEFAULT_CHECKLIST


class RequirementForm(FlaskForm):
    course_id = SelectField("课程", coerce=int, validators=[InputRequired()])
    department = StringField("部门(留空表示所有部门)", validators=[Optional(), Length(max=200)])
    position = StringField("岗位(留空表示所有岗位)", validators=[Optional(), Length(max=200)])
    due_days_after_hire = IntegerField(
        "入职后多少天内完成", validators=[Optional(), NumberRange(min=0, max=3650)]
    )
    due_date = DateField("或固定截止日期", validators=[Optional()])
    starts_on = DateField("开始执行日期(留空为今天)", validators=[Optional()])
    recertify_months = IntegerField(
        "每隔多少个月复训(留空表示一次性)", validators=[Optional(), NumberRange(min=1, max=120)]
    )
    window_days = IntegerField(
        "证书到期前多少天可开始复训", validators=[InputRequired(), NumberRange(min=0, max=3650)]
    )
    needs_signoff = BooleanField("还需培训师现场观察签核")
    checklist = TextAreaField(
        "签核检查项(每行一项)", default="\n".join(DEFAULT_CHECKLIST), render_kw={"rows": 6}
    )
    note = TextAreaField("备注", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("保存")

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
    reason = TextAreaField("原因", validators=[DataRequired("请填写原因。"), Length(max=2000)])
    submit = SubmitField("豁免")


class ExtensionForm(FlaskForm):
    due_on = DateField("新的截止日期", validators=[InputRequired("请填写新的截止日期。")])
    reason = TextAreaField("原因", validators=[DataRequired("请填写原因。"), Length(max=2000)])
    submit = SubmitField("延期")


class SignoffForm(FlaskForm):
    observed_on = DateField("观察日期", validators=[InputRequired("请填写观察日期。")])
    items = SelectMultipleField(
        "观察到的表现(全部勾选才算通过)",
        choices=[],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=True,
    )
    notes = TextAreaField("备注", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("记录签核")
