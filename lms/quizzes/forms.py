"""Trainer forms: one question form per type, and the course's quiz settings.

The forms only collect input. Whether a question is valid is decided by
``bank_file.question_problems`` (plus the course checks in ``authoring.question_check``); a form turns
its fields into a bank-format question (:meth:`QuestionForm.question`) and shows the problems that
come back next to the fields they concern (:meth:`QuestionForm.show_problems`), in Chinese.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from lms.courses.content_files import PARTIAL_CREDIT, REVIEW_ANSWERS
from lms.i18n import CONTENT, lazy_pgettext
from lms.i18n import lazy_gettext as _l
from lms.quizzes.grading import parse_number

TYPE_LABELS = {
    "single": _l("单选题"),
    "multiple": _l("多选题"),
    "truefalse": _l("判断题"),
    "ordering": _l("排序题"),
    "matching": _l("匹配题"),
    "short": _l("简答题"),
    "scenario": _l("情景题"),
    "numerical": _l("数值题"),
}
DIFFICULTY_CHOICES = [
    SelectChoice(1, _l("1 简单")),
    SelectChoice(2, _l("2 中等")),
    SelectChoice(3, _l("3 较难")),
]
PARTIAL_CREDIT_LABELS = {"proportional": _l("按比例给分"), "all_or_nothing": _l("全对才得分")}
REVIEW_ANSWERS_LABELS = {
    "pass": _l("通过后才显示（未通过时只标出错题、反馈和复习链接）"),
    "always": _l("每次交卷后都显示"),
    "never": _l("从不显示"),
}
GRADE_CHOICES = [
    SelectChoice(100, _l("最佳 100%")),
    SelectChoice(50, _l("可接受 50%")),
    SelectChoice(0, _l("欠佳 0%")),
]
MAX_ROWS = 20  # a guard against absurd posts; the real limits per type are question rules


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(value: Any) -> Any:
    """Textarea input: browsers send CRLF; store LF, without surrounding blank space."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ChoiceRow(Form):
    text = StringField(_l("选项"), filters=[_strip])
    correct = BooleanField(_l("正确"))
    feedback = StringField(_l("选中时的反馈(可不填)"), filters=[_strip])

    def is_blank(self) -> bool:
        return not (self.text.data or self.feedback.data or self.correct.data)

    def option(self) -> dict[str, Any]:
        option: dict[str, Any] = {"text": self.text.data or ""}
        if self.correct.data:
            option["correct"] = True
        if self.feedback.data:
            option["feedback"] = self.feedback.data
        return option


def _weight(text: Any) -> Any:
    """A typed weight as a number ("50", "-33.5", "50%"); anything else is kept for the rules to
    report."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    raw = str(text).strip().removesuffix("%").replace("，", ".").replace(",", ".")
    try:
        number = float(raw)
    except ValueError:
        return str(text)
    return int(number) if number.is_integer() else number


class WeightedChoiceRow(ChoiceRow):
    """A multiple-answer option with Moodle's optional weight (percent of the mark, -100 to 100);
    a weighted option is correct exactly when its weight is positive."""

    weight = StringField(_l("权重(百分数，可不填)"), filters=[_strip])

    def is_blank(self) -> bool:
        return super().is_blank() and not self.weight.data

    def option(self) -> dict[str, Any]:
        option = super().option()
        if self.weight.data not in (None, ""):
            weight = _weight(self.weight.data)
            option.pop("correct", None)
            if isinstance(weight, int | float) and weight > 0:
                option["correct"] = True
            option["weight"] = weight
        return {k: option[k] for k in ("text", "correct", "weight", "feedback") if k in option}


def _typed_number(text: Any) -> Any:
    """A number typed in the form, read as learners' answers are ("８", "1,200", "-3.5"); text that
    is no number is kept as it is, for the rules to report."""
    number = parse_number(text) if isinstance(text, str) else None
    if number is None:
        return text
    return int(number) if number.is_integer() and abs(number) < 1e16 else number


class NumberRow(Form):
    """One accepted answer of a numerical question: a value with an optional tolerance, or a range
    (min and max); an optional weight (partial credit) and feedback."""

    value = StringField(_l("准确值"), filters=[_strip])
    tolerance = StringField(_l("误差(±，可不填)"), filters=[_strip])
    min = StringField(_l("或范围：最小"), filters=[_strip])
    max = StringField(_l("最大"), filters=[_strip])
    weight = StringField(_l("权重(百分数，默认 100)"), filters=[_strip])
    feedback = StringField(_l("答到这里时的反馈(可不填)"), filters=[_strip])

    NUMBERS = ("value", "tolerance", "min", "max", "weight")

    def is_blank(self) -> bool:
        return not any(getattr(self, name).data for name in (*self.NUMBERS, "feedback"))

    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        for name in self.NUMBERS:
            text = getattr(self, name).data
            if text:
                answer[name] = _weight(text) if name == "weight" else _typed_number(text)
        if self.feedback.data:
            answer["feedback"] = self.feedback.data
        return answer


class ReplyRow(Form):
    text = StringField(_l("回应"), filters=[_strip])
    grade = SelectField(
        _l("评分"), choices=GRADE_CHOICES, coerce=int, default=0, validate_choice=False
    )
    feedback = StringField(_l("针对此回应的反馈"), filters=[_strip])

    def is_blank(self) -> bool:
        return not (self.text.data or self.feedback.data)

    def option(self) -> dict[str, Any]:
        option: dict[str, Any] = {"text": self.text.data or "", "grade": self.grade.data}
        if self.feedback.data:
            option["feedback"] = self.feedback.data
        return option


class PairRow(Form):
    left = StringField(_l("左侧"), filters=[_strip])
    right = StringField(_l("右侧"), filters=[_strip])

    def is_blank(self) -> bool:
        return not (self.left.data or self.right.data)


# Problems from question_problems, in the trainer's language. The key is a regular expression
# over the English message; a message not listed here is shown as it is.
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), m)
    for p, m in [
        (r"^id must be", _l("编号只能用小写字母、数字、- 和 _，以字母或数字开头，最长 100 个字符")),
        (r"^difficulty must be", _l("难度须为 1、2 或 3")),
        (r"^section must look like", _l("请选择本题考查的课节")),
        (r"^stem is required", _l("请填写题干")),
        (r"^feedback is required", _l("请填写解析")),
        (r"^source needs file and quote", _l("出处需同时填写材料文件和原文引用")),
        (r"^sources must be a list", _l("其他出处的格式不对：每条都要有材料文件和原文引用")),
        (r"^needs (\d+) to (\d+) options", _l("需要 {0} 到 {1} 个选项")),
        (r"needs text$", _l("请填写内容")),
        (r"^two options have the same text", _l("有两个选项内容相同")),
        (r"^a single-choice question needs", _l("单选题必须恰好有一个正确选项")),
        (r"^a multiple-answer question needs", _l("多选题至少需要两个正确选项和一个错误选项")),
        (r"grade must be 100, 50 or 0$", _l("评分须为 100、50 或 0")),
        (r"each reply needs its own feedback$", _l("每个回应都需要自己的反馈")),
        (r"^a scenario needs exactly one best reply", _l("情景题必须恰好有一个最佳回应(100%)")),
        (r"^answer must be true or false", _l("请选择“正确”或“错误”")),
        (r"^an ordering question needs", _l("排序题至少需要 3 个步骤")),
        (r"^two steps have the same text", _l("有两个步骤内容相同")),
        (r"^a matching question needs", _l("匹配题至少需要 3 组配对")),
        (r"needs left and right$", _l("左右两项都要填写")),
        (r"^distractors must be", _l("干扰项须为文字")),
        (r"^left items and right items", _l("左侧各项不能重复，右侧各项(含干扰项)也不能重复")),
        (r"^a short-answer question needs", _l("简答题至少需要一个可接受的答案")),
        (r"weight must be a number from", _l("权重须为 -100 到 100 之间的数")),
        (r"^when one option has a weight", _l("有一个选项填了权重，其他选项也都要填")),
        (r"^the positive weights must add up to 100", _l("正的权重加起来须为 100")),
        (
            r"^a multiple-answer question needs a positive",
            _l("多选题须有正的权重，也须有零或负的权重"),
        ),
        (
            r"^a numerical question needs 1 to (\d+) answers",
            _l("数值题需要 1 到 {0} 个答案(一个数加误差，或一个范围)"),
        ),
        (r"give value \(and tolerance\) or min and max", _l("数值(加误差)和范围只能填一种")),
        (r"value is missing", _l("请填写数值，或填写范围的最小值和最大值")),
        (r"(?:min|max) is missing", _l("范围的最小值和最大值都要填写")),
        (r"(?:value|tolerance|min|max) must be a (?:finite )?number", _l("请填写一个数")),
        (r"is more than max", _l("最小值不能大于最大值")),
        (r"tolerance must not be negative", _l("误差不能是负数")),
        (r"weight must be more than 0 and at most 100", _l("权重须大于 0，且不超过 100")),
        (
            r"^a numerical question needs an answer with weight 100",
            _l("至少要有一个权重为 100 的答案"),
        ),
        (
            r"^partial",
            _l("部分得分的答案每行写成“答案 | 权重”，权重在 0 和 100 之间，且不与可接受的答案重复"),
        ),
    ]
]
# "option 2 needs text", "reply 3: …", "pair 1 needs …": the row a problem is about (1-based).
_ROW = re.compile(r"^(?:option|reply|pair|answer) (\d+)\b")


def translate(message: str) -> str:
    for pattern, text in _MESSAGES:
        match = pattern.search(message)
        if match:
            return text.format(*match.groups())
    return message


def _add_error(field: Any, message: str) -> None:
    if message not in field.errors:
        field.errors = [*field.errors, message]


class QuestionForm(FlaskForm):
    """Fields every question has; a subclass per type adds its own and says how to read them."""

    qtype: ClassVar[str]

    key = StringField(
        _l("编号"),
        filters=[_strip],
        description=_l("可不填：留空时自动编号。保存后不能再改，也不要重复使用已停用题目的编号。"),
    )
    difficulty = SelectField(
        _l("难度"), choices=DIFFICULTY_CHOICES, coerce=int, default=1, validate_choice=False
    )
    section = SelectField(_l("考查课节"), validate_choice=False, render_kw=CONTENT)
    stem = TextAreaField(_l("题干"), filters=[_text])
    feedback = TextAreaField(_l("解析(交卷后向学员显示)"), filters=[_text])
    source_file = StringField(_l("出处：材料文件(可不填)"), filters=[_strip])
    source_quote = StringField(_l("出处：材料原文引用"), filters=[_strip])
    # A bank file may give several quotes (``sources``); the form keeps them unchanged, as JSON.
    more_sources = HiddenField()
    base_version = HiddenField()
    more = SubmitField(_l("再加一行"))
    submit = SubmitField(_l("保存"))

    # ----- reading the fields -------------------------------------------------------------------

    def question(self, key: str) -> dict[str, Any]:
        """The question in the bank-file format (with ``id`` and ``difficulty``)."""
        q: dict[str, Any] = {
            "id": key,
            "type": self.qtype,
            "difficulty": self.difficulty.data,
            "section": self.section.data or "",
            "stem": self.stem.data or "",
        }
        q.update(self.type_fields())
        q["feedback"] = self.feedback.data or ""
        if self.source_file.data or self.source_quote.data:
            q["source"] = {
                "file": self.source_file.data or "",
                "quote": self.source_quote.data or "",
            }
        if self.more_sources.data:
            try:
                q["sources"] = json.loads(self.more_sources.data)
            except ValueError:
                q["sources"] = self.more_sources.data  # question_problems reports it
        return q

    def extra_sources(self) -> list[dict[str, Any]]:
        """The quotes kept in ``more_sources``, to show beside the form."""
        try:
            sources = json.loads(self.more_sources.data or "[]")
        except ValueError:
            return []
        return [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []

    def type_fields(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def initial(cls, q: dict[str, Any], difficulty: int) -> dict[str, Any]:
        """Form data for a stored question, to pre-fill the edit page."""
        source = q.get("source") or {}
        more = json.dumps(q["sources"], ensure_ascii=False) if q.get("sources") else ""
        return {
            "difficulty": difficulty,
            "section": q.get("section", ""),
            "stem": q.get("stem", ""),
            "feedback": q.get("feedback", ""),
            "source_file": source.get("file", ""),
            "source_quote": source.get("quote", ""),
            "more_sources": more,
        } | cls.initial_type_fields(q)

    @classmethod
    def initial_type_fields(cls, q: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    # ----- rows ---------------------------------------------------------------------------------

    def row_lists(self) -> list[FieldList]:
        return []

    def kept_rows(self, rows: FieldList) -> list[int]:
        """Indices of the rows that hold something; blank rows are spare lines, not items."""
        return [i for i, entry in enumerate(rows.entries) if not entry.form.is_blank()]

    def add_rows(self, extra: int = 1) -> None:
        for rows in self.row_lists():
            for _ in range(extra):
                if len(rows.entries) < MAX_ROWS:
                    rows.append_entry()

    def pad_rows(self, spare: int = 1, least: int = 4) -> None:
        """Show at least ``least`` rows and ``spare`` empty ones, so there is room to add items."""
        for rows in self.row_lists():
            while len(rows.entries) < MAX_ROWS and (
                len(rows.entries) < least
                or sum(1 for e in rows.entries if e.form.is_blank()) < spare
            ):
                rows.append_entry()

    # ----- problems -----------------------------------------------------------------------------

    def show_problems(self, problems: Iterable[tuple[str, str]]) -> None:
        """Attach each ``(field, problem)`` to the input it is about."""
        for name, message in problems:
            text = translate(message)
            if name == "id":
                _add_error(self.key, text)
            elif name == "source":
                for field in (self.source_file, self.source_quote):
                    if not field.data:
                        _add_error(field, text)
                if self.source_file.data and self.source_quote.data:
                    _add_error(self.source_quote, text)
            elif name == "sources":
                _add_error(self.more_sources, text)
            elif name == "base_version":
                _add_error(self.submit, text)
            elif not self.show_row_problem(name, message, text):
                _add_error(self._fields.get(name, self.submit), text)

    def show_row_problem(self, name: str, message: str, text: str) -> bool:
        return False

    @property
    def has_problems(self) -> bool:
        return any(_field_errors(field) for field in self)


def _field_errors(field: Any) -> bool:
    if isinstance(field, FieldList):
        return bool(field.errors) or any(
            _field_errors(sub) for entry in field.entries for sub in entry.form
        )
    return bool(field.errors)


class _OptionsForm(QuestionForm):
    """single, multiple and scenario: a list of option rows."""

    options: FieldList

    def row_lists(self) -> list[FieldList]:
        return [self.options]

    def type_fields(self) -> dict[str, Any]:
        rows = self.options.entries
        return {"options": [rows[i].form.option() for i in self.kept_rows(self.options)]}

    @classmethod
    def initial_type_fields(cls, q: dict[str, Any]) -> dict[str, Any]:
        return {"options": [dict(o) for o in q.get("options", [])]}

    def show_row_problem(self, name: str, message: str, text: str) -> bool:
        match = _ROW.match(message)
        if name != "options":
            return False
        if not match:
            _add_error(self.options, text)
            return True
        kept = self.kept_rows(self.options)
        number = int(match.group(1))
        if not 1 <= number <= len(kept):
            _add_error(self.options, text)
            return True
        row = self.options.entries[kept[number - 1]].form
        if "feedback" in message:
            _add_error(row.feedback, text)
        elif "grade" in message and hasattr(row, "grade"):
            _add_error(row.grade, text)
        else:
            _add_error(row.text, text)
        return True


class SingleForm(_OptionsForm):
    qtype = "single"
    options = FieldList(FormField(ChoiceRow), label=_l("选项"), min_entries=4, max_entries=MAX_ROWS)


class MultipleForm(_OptionsForm):
    qtype = "multiple"
    options = FieldList(
        FormField(WeightedChoiceRow), label=_l("选项"), min_entries=4, max_entries=MAX_ROWS
    )


class ScenarioForm(_OptionsForm):
    qtype = "scenario"
    options = FieldList(FormField(ReplyRow), label=_l("回应"), min_entries=3, max_entries=MAX_ROWS)


class TrueFalseForm(QuestionForm):
    qtype = "truefalse"
    answer = RadioField(
        _l("答案"),
        choices=[
            SelectChoice("true", lazy_pgettext("true/false", "正确")),
            SelectChoice("false", _l("错误")),
        ],
        validate_choice=False,
    )

    def type_fields(self) -> dict[str, Any]:
        return {"answer": {"true": True, "false": False}.get(self.answer.data or "")}

    @classmethod
    def initial_type_fields(cls, q: dict[str, Any]) -> dict[str, Any]:
        answer = q.get("answer")
        return {"answer": "true" if answer is True else "false" if answer is False else None}


class OrderingForm(QuestionForm):
    qtype = "ordering"
    steps = TextAreaField(
        _l("步骤(每行一步，按正确顺序填写；学员看到的顺序是打乱的)"), filters=[_text]
    )

    def type_fields(self) -> dict[str, Any]:
        return {"steps": _lines(self.steps.data)}

    @classmethod
    def initial_type_fields(cls, q: dict[str, Any]) -> dict[str, Any]:
        return {"steps": "\n".join(q.get("steps", []))}


class ShortForm(QuestionForm):
    qtype = "short"
    accepted = TextAreaField(
        _l("可接受的答案(每行一个；全角半角、首尾标点和大小写不影响判分)"), filters=[_text]
    )

    partial = TextAreaField(
        _l("部分得分的答案(可不填；每行一个，写成“答案 | 权重”，如“锻炼 | 50”)"), filters=[_text]
    )

    def type_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"accepted": _lines(self.accepted.data)}
        partial = []
        for line in _lines(self.partial.data):
            text, bar, weight = line.rpartition("|")
            partial.append(
                {"text": text.strip(), "weight": _weight(weight)}
                if bar
                else {"text": line, "weight": None}
            )
        if partial:
            fields["partial"] = partial
        return fields

    @classmethod
    def initial_type_fields(cls, q: dict[str, Any]) -> dict[str, Any]:
        partial = (f"{p['text']} | {p['weight']:g}" for p in q.get("partial") or [])
        return {"accepted": "\n".join(q.get("accepted", [])), "partial": "\n".join(partial)}


class MatchingForm(QuestionForm):
    qtype = "matching"
    pairs = FieldList(FormField(PairRow), label=_l("配对"), min_entries=4, max_entries=MAX_ROWS)
    distractors = TextAreaField(_l("干扰项(可不填；每行一个，混在右侧供选择)"), filters=[_text])

    def row_lists(self) -> list[FieldList]:
        return [self.pairs]

    def type_fields(self) -> dict[str, Any]:
        rows = self.pairs.entries
        fields: dict[str, Any] = {
            "pairs": [
                {"left": rows[i].form.left.data or "", "right": rows[i].form.right.data or ""}
                for i in self.kept_rows(self.pairs)
            ]
        }
        distractors = _lines(self.distractors.data)
        if distractors:
            fields["distractors"] = distractors
        return fields

    @classmethod
    def initial_type_fields(cls, q: dict[str, Any]) -> dict[str, Any]:
        return {
            "pairs": [dict(p) for p in q.get("pairs", [])],
            "distractors": "\n".join(q.get("distractors", [])),
        }

    def show_row_problem(self, name: str, message: str, text: str) -> bool:
        if name != "pairs":
            return False
        match = _ROW.match(message)
        kept = self.kept_rows(self.pairs)
        if match and 1 <= int(match.group(1)) <= len(kept):
            row = self.pairs.entries[kept[int(match.group(1)) - 1]].form
            for field in (row.left, row.right):
                if not field.data:
                    _add_error(field, text)
        else:
            _add_error(self.pairs, text)
        return True


class NumericalForm(QuestionForm):
    qtype = "numerical"
    answers = FieldList(
        FormField(NumberRow), label=_l("可接受的答案"), min_entries=2, max_entries=MAX_ROWS
    )

    def row_lists(self) -> list[FieldList]:
        return [self.answers]

    def type_fields(self) -> dict[str, Any]:
        rows = self.answers.entries
        return {"answers": [rows[i].form.answer() for i in self.kept_rows(self.answers)]}

    @classmethod
    def initial_type_fields(cls, q: dict[str, Any]) -> dict[str, Any]:
        answers = []
        for answer in q.get("answers", []):
            row = {k: _shown_number(v) for k, v in answer.items() if k in NumberRow.NUMBERS}
            answers.append(row | {"feedback": answer.get("feedback", "")})
        return {"answers": answers}

    def show_row_problem(self, name: str, message: str, text: str) -> bool:
        if name != "answers":
            return False
        match = _ROW.match(message)
        kept = self.kept_rows(self.answers)
        if not match or not 1 <= int(match.group(1)) <= len(kept):
            _add_error(self.answers, text)
            return True
        row = self.answers.entries[kept[int(match.group(1)) - 1]].form
        detail = message.split(":", 1)[-1]
        named = [n for n in (*NumberRow.NUMBERS, "feedback") if re.search(rf"\b{n}\b", detail)]
        _add_error(getattr(row, named[0]) if named else row.value, text)
        return True


def _shown_number(value: Any) -> str:
    """A stored number in a text field: ``8`` not ``8.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


QUESTION_FORMS: dict[str, type[QuestionForm]] = {
    form.qtype: form
    for form in (
        SingleForm,
        MultipleForm,
        TrueFalseForm,
        OrderingForm,
        MatchingForm,
        ShortForm,
        ScenarioForm,
        NumericalForm,
    )
}


class QuizSettingsForm(FlaskForm):
    """Ranges are the ones course.yaml accepts (``courses.content_files``)."""

    questions_per_attempt = IntegerField(
        _l("每次抽题数"),
        validators=[InputRequired(_l("请填写数字")), NumberRange(1, 500, _l("须在 1 到 500 之间"))],
    )
    pass_mark = IntegerField(
        _l("及格线(%)"),
        validators=[InputRequired(_l("请填写数字")), NumberRange(1, 100, _l("须在 1 到 100 之间"))],
    )
    time_limit_minutes = IntegerField(
        _l("限时(分钟，0 = 不限时)"),
        validators=[
            InputRequired(_l("请填写数字")),
            NumberRange(0, 100_000, _l("须在 0 到 100000 之间")),
        ],
    )
    max_attempts = IntegerField(
        _l("最多测验次数(0 = 不限)"),
        validators=[
            InputRequired(_l("请填写数字")),
            NumberRange(0, 100_000, _l("须在 0 到 100000 之间")),
        ],
    )
    cooldown_minutes = IntegerField(
        _l("两次测验的间隔(分钟)"),
        validators=[
            InputRequired(_l("请填写数字")),
            NumberRange(0, 100_000, _l("须在 0 到 100000 之间")),
        ],
    )
    partial_credit = SelectField(
        _l("多选、排序、匹配题的部分得分"),
        choices=[SelectChoice(mode, PARTIAL_CREDIT_LABELS[mode]) for mode in PARTIAL_CREDIT],
    )
    review_answers = SelectField(
        _l("结果页何时显示正确答案"),
        choices=[SelectChoice(mode, REVIEW_ANSWERS_LABELS[mode]) for mode in REVIEW_ANSWERS],
    )
    submit = SubmitField(_l("保存"))

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in QUIZ_SETTING_NAMES}


QUIZ_SETTING_NAMES = (
    "questions_per_attempt",
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "cooldown_minutes",
    "partial_credit",
    "review_answers",
)
