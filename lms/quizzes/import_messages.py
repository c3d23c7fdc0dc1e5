"""The import wizard's problems, skips and notes in the reader's language.

The parsers (``interchange``) and the import service stay pure and speak English (the CLI prints it
as it is); a ``Problem`` keeps its English message, which is stable. Here, at display time, each
message is matched against the patterns below and shown through the catalog, with what the pattern
captured (ids, numbers, texts from the file) put back in. A message no pattern knows is shown in
English, never dropped; ``tests/test_import_messages_coverage.py`` parses a corpus of broken files
and bad questions and fails when one of their messages has no pattern, or when a place in the
parsers or the question rules that writes a message is not reached by that corpus.
"""

from __future__ import annotations

import re
from typing import Any

from lms.i18n import _
from lms.i18n import lazy_gettext as _l
from lms.quizzes.interchange import Problem, Skipped

# (English message as a regular expression, its text with {0}, {1} … for the captured groups).
# A question's own problems are prefixed "<id>: " and a row's "option 2 …" (see _ROW): both are
# taken off before these are matched, and shown in front of the translation.
_MESSAGES: list[tuple[str, Any]] = [
    # limits, ids (interchange.common)
    (
        r"the file holds more than (\d+) questions and was read only up to here; split it into "
        r"files of at most \d+ \(limit: LMS_IMPORT_MAX_QUESTIONS\)",
        _l(
            "文件超过 {0} 题，只读到这里；请拆分成每份最多 {0} 题的文件(上限：LMS_IMPORT_MAX_QUESTIONS)"
        ),
    ),
    (
        r"reading the file took longer than (\S+) seconds and stopped here; split it into smaller "
        r"files \(limit: LMS_IMPORT_MAX_SECONDS\)",
        _l("读取文件超过 {0} 秒，在这里停止；请拆分成较小的文件(上限：LMS_IMPORT_MAX_SECONDS)"),
    ),
    (r"duplicate id (\S+) \(first at line (\d+)\)", _l("编号 {0} 重复(第一次出现在第 {1} 行)")),
    # GIFT
    (r"the question name has no closing ::", _l("题目名称缺少结尾的 ::")),
    (r"the answer block \{ has no closing \}", _l("答案块的 { 缺少结尾的 }")),
    (
        r"a question has one answer block; write a literal brace as \\\{ or \\\}",
        _l("一道题只能有一个答案块；文字中的花括号请写成 \\{ 或 \\}"),
    ),
    (r"a \} without its \{; write it as \\\}", _l("多出一个 }；文字中的 } 请写成 \\}")),
    (r"a mingli: line must come just above its question", _l("mingli: 注释行必须紧挨在题目上方")),
    (r"unknown mingli: line '(.*)' \(use (.*)\)", _l("未知的 mingli: 行“{0}”(可用：{1})")),
    (
        r"mingli: (\S+) is given twice \(first at line (\d+)\)",
        _l("mingli: {0} 写了两次(第一次在第 {1} 行)"),
    ),
    (r"(source|sources) must be JSON: (.*)", _l("{0} 必须写成 JSON：{1}")),
    (
        r"a question may be at most (\d+) characters long; this one has (\d+)",
        _l("一道题最多 {0} 个字符，这道题有 {1} 个"),
    ),
    (
        r"cannot tell the question type: the answer block needs =, ~, -> or T/F",
        _l("无法判断题型：答案块里需要 =、~、-> 或 T/F"),
    ),
    (r"true/false takes at most two # feedbacks", _l("判断题最多带两段 # 反馈")),
    (
        r"an answer block holds at most (\d+) answers; this one has (\d+)",
        _l("一个答案块最多 {0} 个答案，这里有 {1} 个"),
    ),
    (
        r"text before the first = or ~ in the answer block \(write = and ~ in text as \\= \\~\)",
        _l("答案块中第一个 = 或 ~ 之前有文字(文字中的 = 和 ~ 请写成 \\= \\~)"),
    ),
    (
        r"mingli: type (\S+) does not fit this answer block \((.*)\)",
        _l("mingli: type {0} 与这个答案块不符(答案块是{1})"),
    ),
    (
        r"a single-choice question with partial credit needs one answer at 100% and the others "
        r"from 0% to 100%; several right answers are written as ~%weight% \(a multiple-answer "
        r"question\)",
        _l(
            "有部分得分的单选题需要一个 100% 的答案，其余在 0% 到 100% 之间；"
            "多个正确答案请写成 ~%权重%(多选题)"
        ),
    ),
    (
        r"a single-choice question has no partial credit: use = and ~ only",
        _l("单选题没有部分得分：只用 = 和 ~"),
    ),
    (r"each matching answer is written =left -> right", _l("配对题的每个答案写成 =左侧 -> 右侧")),
    (r"matching answers take no weights", _l("配对题的答案不能带权重")),
    (
        r"an ordering question lists its steps as =1 -> first step, =2 -> second …",
        _l("排序题的步骤写成 =1 -> 第一步，=2 -> 第二步 …"),
    ),
    (
        r"a short answer's weight must be from 0% to 100%",
        _l("简答题答案的权重须在 0% 到 100% 之间"),
    ),
    (
        r"cannot read the numerical answer (.*): write 8, 8:1 \(8 with a tolerance of 1\) or "
        r"3\.141\.\.3\.142 \(a range\)",
        _l("读不出数值答案 {0}：请写成 8、8:1(8，误差 1)或 3.141..3.142(范围)"),
    ),
    (
        r"a numerical answer's weight must be from 0% to 100%",
        _l("数值题答案的权重须在 0% 到 100% 之间"),
    ),
    (
        r"a numerical question lists its answers with = \(write ~ in text as \\~\)",
        _l("数值题的答案用 = 列出(文字中的 ~ 请写成 \\~)"),
    ),
    (
        r"text before the first = in a numerical answer block",
        _l("数值题答案块中第一个 = 之前有文字"),
    ),
    # Aiken
    (r"ANSWER: without a question above it", _l("ANSWER: 上方没有题目")),
    (r"option ([A-Za-z]) is given twice", _l("选项 {0} 出现了两次")),
    (r"this question has no ANSWER: line", _l("这道题没有 ANSWER: 行")),
    (
        r"a question needs options A\. B\. C\. … before ANSWER:",
        _l("ANSWER: 之前需要有选项 A. B. C. …"),
    ),
    (r"ANSWER: (.*) is not one of the options", _l("ANSWER: {0} 不是其中的选项")),
    # YAML
    (
        r"a bank file is a mapping with course and questions",
        _l("题库文件应是含 course 和 questions 的映射"),
    ),
    (r"course must be a course slug", _l("course 必须是课程代号")),
    (r"questions list is empty", _l("questions 列表是空的")),
    (r"a question is a mapping", _l("每道题应是一个映射(键：值)")),
    (r"YAML syntax: duplicate key (.*)", _l("YAML 中的键 {0} 写了两次")),
    (r"YAML syntax: a mapping key must be a plain value", _l("YAML 中映射的键必须是简单的值")),
    (r"YAML syntax: (.*)", _l("YAML 语法错误：{0}")),
    (r"YAML value: (.*)", _l("YAML 值有误：{0}")),
    (r"YAML nesting is too deep", _l("YAML 嵌套太深")),
    (
        r"YAML aliases \(\*(.*)\) are not allowed: write each value out in full",
        _l("YAML 中不能用别名(*{0})：请把每个值完整写出"),
    ),
    (
        r"YAML anchors \(&(.*)\) and aliases are not allowed: write each value out in full",
        _l("YAML 中不能用锚点(&{0})和别名：请把每个值完整写出"),
    ),
    # Moodle XML
    (
        r"the file declares an entity; Moodle XML has none, and entities can expand into huge or "
        r"outside content, so the file is refused",
        _l(
            "文件声明了实体；Moodle XML 不用实体，而实体可能展开成巨大的或外部的内容，所以拒收这个文件"
        ),
    ),
    (r"the file refers to an external entity; refused", _l("文件引用了外部实体，已拒收")),
    (
        r"the file refers to an external DTD; Moodle XML has none, so it is refused",
        _l("文件引用了外部 DTD；Moodle XML 不用 DTD，所以拒收这个文件"),
    ),
    (r"elements nest deeper than (\d+)", _l("元素嵌套超过 {0} 层")),
    (r"the file nests too deeply", _l("文件嵌套太深")),
    (r"the file is not well-formed XML: (.*)", _l("文件不是格式正确的 XML：{0}"), "xml"),
    (r"a Moodle XML file has <quiz> as its root", _l("Moodle XML 文件的根元素应是 <quiz>")),
    (
        r"<(.*)> inside <quiz>: only <question> is read",
        _l("<quiz> 中的 <{0}> 没有读取：只读取 <question>"),
    ),
    (r"the embedded file (.*) was dropped", _l("嵌入的文件 {0} 已舍弃")),
    (r"an image in the text was dropped", _l("文字中的图片已舍弃")),
    (
        r"fraction (.*) is not a number from -100 to 100",
        _l("fraction {0} 不是 -100 到 100 之间的数"),
    ),
    (r"a question holds at most (\d+) answers", _l("一道题最多 {0} 个答案")),
    (r"unknown mingli: comment (.*) \(use (.*)\)", _l("未知的 mingli: 注释 {0}(可用：{1})")),
    (r"mingli: (\S+) must be JSON", _l("mingli: {0} 必须写成 JSON")),
    (
        r"mingli: type (\S+) does not fit this (\S+) question",
        _l("mingli: type {0} 与这道 {1} 题不符"),
    ),
    (
        r"a one-answer multichoice question needs one answer at fraction 100 and the others from "
        r"0 to 100; several right answers need single = false",
        _l(
            "单选的 multichoice 题需要一个 fraction 为 100 的答案，其余在 0 到 100 之间；"
            "有多个正确答案时请写 single = false"
        ),
    ),
    (r"a single-choice question has no partial credit", _l("单选题没有部分得分")),
    (
        r"a truefalse question needs the answer true or false at 100%",
        _l("truefalse 题需要一个 fraction 为 100 的答案，写 true 或 false"),
    ),
    (r"answer (.*) ± (.*) is not a number", _l("答案 {0} ± {1} 不是数")),
    # the 题库 sheet: the file
    (
        r"this is an old Excel \.xls workbook; save it as \.xlsx or as CSV UTF-8",
        _l("这是旧版 Excel .xls 工作簿；请另存为 .xlsx 或 CSV UTF-8"),
    ),
    (
        r"the workbook cannot be read \((.*)\); save it again as \.xlsx or as CSV UTF-8",
        _l("无法读取工作簿({0})；请重新另存为 .xlsx 或 CSV UTF-8"),
    ),
    (
        r"the workbook unpacks to more than (\d+) bytes; save it again as \.xlsx or as CSV "
        r"UTF-8, or split it",
        _l("工作簿解压后超过 {0} 字节；请重新另存为 .xlsx 或 CSV UTF-8，或拆分"),
    ),
    (
        r"the sheet declares (\d+) rows; a question sheet may have at most (\d+) rows \(limit: "
        r"LMS_IMPORT_MAX_QUESTIONS\); split it into smaller files",
        _l(
            "工作表声明了 {0} 行；一份题库表格最多 {1} 行(上限：LMS_IMPORT_MAX_QUESTIONS)，"
            "请拆分成较小的文件"
        ),
    ),
    (
        r"a question sheet may have at most (\d+) rows \(limit: LMS_IMPORT_MAX_QUESTIONS\); "
        r"split it into smaller files",
        _l("一份题库表格最多 {0} 行(上限：LMS_IMPORT_MAX_QUESTIONS)，请拆分成较小的文件"),
    ),
    (
        r'the file is neither UTF-8 nor GBK text; in Excel, save it as "CSV UTF-8 \(Comma '
        r'delimited\)" or as "Excel Workbook \(\.xlsx\)"',
        _l(
            "文件既不是 UTF-8 也不是 GBK 文本；请在 Excel 中选择另存为"
            "“CSV UTF-8(逗号分隔)”或“Excel 工作簿(.xlsx)”"
        ),
    ),
    (r"the CSV cannot be read: (.*)", _l("无法读取 CSV：{0}")),
    (r"the file cannot be read as a spreadsheet", _l("文件无法当作表格读取")),
    (
        r"the file cannot be read as a spreadsheet \((.*)\)",
        _l("文件无法当作表格读取({0})"),
    ),
    (
        r"the file was read as GBK/GB18030 \(the encoding Chinese Excel saves CSV in\); check in "
        r"the preview that the texts are right",
        _l(
            "文件按 GBK/GB18030 编码读取(中文版 Excel 保存 CSV 时用的编码)，请在预览中核对文字是否正确"
        ),
    ),
    (
        r"the file is empty: the first row names the columns \(题型, 题干, …\)",
        _l("文件是空的：第一行应是列名(题型、题干 …)"),
    ),
    (r"a row above the header is not read", _l("表头上方的行没有读取")),
    (r"column (.*) is not read", _l("列 {0} 没有读取")),
    (r"column (.*) is given twice", _l("列 {0} 出现了两次")),
    (r"missing column\(s\): (.*)", _l("缺少列：{0}")),
    (r"题型 (.*) is not one of (.*)", _l("题型 {0} 不是 {1} 之一"), "empty"),
    # the 题库 sheet: a row's cells (after "答案: ", "分值: " …, see _COLUMN)
    (
        r"needs (\d+) values separated by ｜, one per option",
        _l("需要 {0} 个用 ｜ 分隔的值，每个选项一个"),
    ),
    (r"('.*'|\".*\") is not a number", _l("{0} 不是数")),
    (r"(\S*) is not one of the options (\S*)", _l("{0} 不在选项 {1} 之中")),
    (
        r"a 单选题 has one letter as its answer, not (.*)",
        _l("单选题的答案是一个字母，不能是 {0}"),
        "empty",
    ),
    (
        r"a 多选题 lists its right letters, e\.g\. ABD",
        _l("多选题的答案写出所有正确选项的字母，如 ABD"),
    ),
    (
        r"the best reply is (.*) by 分值, not (.*)",
        _l("按分值，最佳回应是 {0}，不是 {1}"),
        "empty",
    ),
    (
        r"a 判断题 is answered 对 or 错 \(正确/错误, √/×\), not (.*)",
        _l("判断题的答案写 对 或 错(正确/错误、√/×)，不能是 {0}"),
    ),
    (r"a 填空题 needs at least one accepted answer", _l("填空题至少需要一个可接受的答案")),
    (
        r"a 排序题 lists every option letter once in the right order, e\.g\. (\S+); not (.*)",
        _l("排序题的答案按正确顺序把每个选项字母各写一次，如 {0}；不能是 {1}"),
        "empty",
    ),
    (
        r"a 配对题 option is 左项｜右项 \(｜右项 for a distractor\)",
        _l("配对题的选项写成 左项｜右项(干扰项写成 ｜右项)"),
    ),
    (
        r"('.*'|\".*\") is not a number, 8±1 or a range 3\.14\.\.3\.15",
        _l("{0} 不是数字、8±1 或范围 3.14..3.15"),
    ),
    (r"a 数值题 needs at least one number", _l("数值题至少需要一个数")),
    (r"('.*'|\".*\") is not 易/中/难 or 1–3", _l("{0} 不是 易/中/难 或 1–3")),
    (
        r'must be JSON: \{"file": "…", "quote": "…"\} or a list of them',
        _l('须写成 JSON：{"file": "…", "quote": "…"} 或它们的列表'),
    ),
    # the import service
    (r"course (\S+) has no lesson '(.*)'", _l("课程 {0} 没有课“{1}”")),
    (r"lesson (\S+) has no section #(.*)", _l("课 {0} 没有小节 #{1}")),
    (
        r"this id belongs to a question of quizzes/(\S+)\.yaml, which is changed in that file, not "
        r"by an import; give the question another id",
        _l(
            "这个编号属于 quizzes/{0}.yaml 中的题目，只能在该文件中修改，不能通过导入覆盖；请给这道题换一个编号"
        ),
    ),
    (r"this is the bank of course '(.*)', not '(.*)'", _l("这是课程“{0}”的题库，不是“{1}”的")),
    (
        r"no section given, and the course has none to assign",
        _l("没有注明课节，课程中也没有可以归入的课节"),
    ),
    (r"the file holds no question that can be imported", _l("文件中没有可以导入的题目")),
    (r"there are no questions to import", _l("没有要导入的题目")),
    (r"section is required", _l("需要注明课节")),
    (
        r"the bank changed during the import \(another import\?\); nothing was imported, please "
        r"try again",
        _l("导入期间题库有变动(可能有另一次导入)；没有导入任何题目，请重试"),
    ),
    # the question rules (bank_file.question_problems)
    (r"type must be one of (.*), not (.*)", _l("题型须为 {0} 之一，不能是 {1}")),
    (r"id must be lower-case letters, digits, '-' or '_'", _l("编号只能用小写字母、数字、- 和 _")),
    (r"difficulty must be 1, 2 or 3", _l("难度须为 1、2 或 3")),
    (r"section must look like lesson-slug#anchor", _l("课节须写成“课代号#小节”")),
    (r"stem is required", _l("缺少题干")),
    (r"feedback is required", _l("缺少解析")),
    (r"feedback must be text", _l("解析须为文字")),
    (r"source needs file and quote", _l("出处需同时有材料文件(file)和原文引用(quote)")),
    (r"sources must be a list of \{file, quote\}", _l("sources 须为 {file, quote} 的列表")),
    (r"excludes must be a list of other questions' ids", _l("excludes 须为其他题目编号的列表")),
    (r"unknown field '(.*)' for a (\S+) question", _l("{1} 题没有字段“{0}”")),
    (r"needs (\d+) to (\d+) options", _l("需要 {0} 到 {1} 个选项")),
    (r"needs text", _l("需要填写文字")),
    (r"has unknown field\(s\) (.*)", _l("有不认识的字段 {0}")),
    (r"correct must be true or false", _l("correct 须为 true 或 false")),
    (r"two options have the same text", _l("有两个选项内容相同")),
    (
        r"a single-choice question needs exactly one correct option",
        _l("单选题必须恰好有一个正确选项"),
    ),
    (
        r"a multiple-answer question needs at least two correct and one wrong option",
        _l("多选题至少需要两个正确选项和一个错误选项"),
    ),
    (r"weight must be a number from -100 to 100", _l("权重须为 -100 到 100 之间的数")),
    (
        r"correct must be true exactly when the weight is positive",
        _l("权重为正时 correct 须为 true，否则不能为 true"),
    ),
    (
        r"when one option has a weight, every option needs one",
        _l("有一个选项带权重时，每个选项都要带权重"),
    ),
    (
        r"a multiple-answer question needs a positive and a zero or negative weight",
        _l("多选题须有正的权重，也须有零或负的权重"),
    ),
    (
        r"the positive weights must add up to 100, not (.*)",
        _l("正的权重加起来须为 100，而不是 {0}"),
    ),
    (r"grade must be 100, 50 or 0", _l("评分须为 100、50 或 0")),
    (r"grade must be a number from 0 to 100", _l("评分须为 0 到 100 之间的数")),
    (r"each reply needs its own feedback", _l("每个回应都需要自己的反馈")),
    (r"scenario replies use grade, not correct", _l("情景题的回应用 grade 评分，不用 correct")),
    (
        r"a scenario needs exactly one best reply \(grade 100\)",
        _l("情景题必须恰好有一个最佳回应(100 分)"),
    ),
    (r"answer must be true or false", _l("答案须为 true 或 false")),
    (r"an ordering question needs 3 or more steps", _l("排序题至少需要 3 个步骤")),
    (r"two steps have the same text", _l("有两个步骤内容相同")),
    (r"a matching question needs 3 or more pairs", _l("配对题至少需要 3 组配对")),
    (r"needs left and right", _l("左右两项都要填写")),
    (r"distractors must be a list of texts", _l("干扰项须为文字列表")),
    (
        r"left items and right items must each be unique",
        _l("左侧各项不能重复，右侧各项(含干扰项)也不能重复"),
    ),
    (
        r"a short-answer question needs at least one accepted answer",
        _l("简答题至少需要一个可接受的答案"),
    ),
    (r"partial must be a list of \{text, weight\}", _l("partial 须为 {text, weight} 的列表")),
    (r"needs text and weight", _l("需要 text 和 weight")),
    (r"weight must be between 0 and 100 \(exclusive\)", _l("权重须大于 0 且小于 100")),
    (r"is already an accepted answer", _l("已经是可接受的答案")),
    (
        r"a numerical question needs 1 to (\d+) answers \(value and tolerance, or min and max\)",
        _l("数值题需要 1 到 {0} 个答案(数值加误差，或最小值和最大值)"),
    ),
    (r"needs value or min and max", _l("需要数值，或最小值和最大值")),
    (r"value is missing \(or give min and max\)", _l("缺少数值(或给出最小值和最大值)")),
    (r"(value|tolerance|min|max) is missing", _l("缺少 {0}")),
    (r"(\w+) must be a finite number, not (.*)", _l("{0} 须为有限的数，不能是 {1}")),
    (r"(\w+) must be a number, not (.*)", _l("{0} 须为数字，不能是 {1}")),
    (
        r"give value \(and tolerance\) or min and max, not both",
        _l("数值(加误差)和范围(最小值、最大值)只能给一种"),
    ),
    (r"min (\S+) is more than max (\S+)", _l("最小值 {0} 大于最大值 {1}")),
    (r"tolerance must not be negative", _l("误差不能是负数")),
    (r"weight must be more than 0 and at most 100", _l("权重须大于 0，且不超过 100")),
    (
        r"a numerical question needs an answer with weight 100",
        _l("数值题至少要有一个权重为 100 的答案"),
    ),
]
_PATTERNS = [
    (re.compile(entry[0], re.S), entry[1], entry[2] if len(entry) > 2 else "")
    for entry in _MESSAGES
]
# "option 2 needs text", "reply 3: …", "partial answer 1 is …": the row a rule's problem is about.
_ROW = re.compile(r"(option|reply|pair|answer|partial answer) (\d+)(?:: | )(.+)", re.S)
_ROW_LABELS = {
    "option": _l("选项 {0}"),
    "reply": _l("回应 {0}"),
    "pair": _l("配对 {0}"),
    "answer": _l("答案 {0}"),
    "partial answer": _l("部分得分的答案 {0}"),
}
# "答案: E is not one of the options ABC": the 题库 sheet's column a row's problem is about (the
# column is named as the file's header names it, so it is shown as written).
_COLUMN = re.compile(r"(答案|分值|难度|来源|选项[A-Z]): (.+)", re.S)
# Words the parsers put inside a message: "(empty)" for a blank cell, "none" for no best reply.
_WORDS = {"(empty)": _l("(空)"), "'(empty)'": _l("(空)"), "none": _l("无")}
# expat's own words for what is wrong with an XML file (xml.parsers.expat.errors).
_XML_ERRORS = {
    "syntax error": _l("语法错误"),
    "no element found": _l("没有找到元素(文件是空的或不完整)"),
    "not well-formed (invalid token)": _l("格式不正确(无效的记号)"),
    "unclosed token": _l("记号没有结束"),
    "partial character": _l("字符不完整"),
    "mismatched tag": _l("开始标签和结束标签不匹配"),
    "duplicate attribute": _l("属性重复"),
    "junk after document element": _l("根元素之后还有内容"),
    "undefined entity": _l("未定义的实体"),
    "unclosed CDATA section": _l("CDATA 段没有结束"),
    "XML or text declaration not at start of entity": _l("XML 声明不在文件开头"),
    "unbound prefix": _l("未绑定的命名空间前缀"),
    "encoding specified in XML declaration is incorrect": _l("XML 声明中的编码不正确"),
    "unknown encoding": _l("未知的编码"),
    "reference to invalid character number": _l("引用了无效的字符编号"),
}
_SKIPPED_KINDS = {
    "essay": _l("问答题"),
    "description": _l("说明文字(没有答案的题)"),
    "cloze": _l("完形填空(cloze)题"),
    # Moodle XML types Mingli has no type for
    "random": _l("随机抽题(random)"),
    "randomsamatch": _l("随机简答配对题(randomsamatch)"),
    "calculated": _l("计算题(calculated)"),
    "calculatedsimple": _l("简单计算题(calculatedsimple)"),
    "calculatedmulti": _l("计算选择题(calculatedmulti)"),
    "ddwtos": _l("拖放填词题(ddwtos)"),
    "gapselect": _l("下拉选词题(gapselect)"),
    "ddimageortext": _l("拖放到图片题(ddimageortext)"),
    "ddmarker": _l("拖放标记题(ddmarker)"),
    "untyped": _l("没有注明题型的题目"),
}


def _word(kind: str, value: str) -> str:
    """A captured text the parsers wrote in English themselves, in the reader's language."""
    if kind == "xml":
        known = _XML_ERRORS.get(value)
        return str(known) if known is not None else value
    if kind == "empty" and value in _WORDS:
        return str(_WORDS[value])
    return value


def _fill(text: Any, groups: tuple[str, ...], kind: str = "") -> str:
    """``{0}``, ``{1}`` … replaced by the captured texts (other braces are literal)."""
    return re.sub(r"\{(\d)\}", lambda m: _word(kind, groups[int(m.group(1))] or ""), str(text))


def _known(message: str) -> str | None:
    for pattern, text, kind in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return _fill(text, match.groups(), kind)
    row = _ROW.fullmatch(message)
    if row:
        rest = _known(row.group(3))
        if rest is not None:
            return _(
                "%(row)s：%(problem)s",
                row=_fill(_ROW_LABELS[row.group(1)], (row.group(2),)),
                problem=rest,
            )
    column = _COLUMN.fullmatch(message)
    if column:
        rest = _known(column.group(2))
        if rest is not None:
            return _("%(column)s：%(problem)s", column=column.group(1), problem=rest)
    return None


def translate(message: str) -> str | None:
    """One problem message in the reader's language; None when no pattern knows it."""
    known = _known(message)
    if known is not None:
        return known
    # "<id>: …": a question's own problem, labelled with its id (which may be any text).
    for split in re.finditer(": ", message):
        rest = _known(message[split.end() :])
        if rest is not None:
            return _("%(id)s：%(problem)s", id=message[: split.start()], problem=rest)
    return None


def problem_text(problem: Problem) -> str:
    """``第 3 行：…`` (``line 3: …``), the message translated when it is known (problems and the
    parse's notes alike: both are line-numbered English messages)."""
    message = translate(problem.message)
    return _("第 %(line)s 行：%(problem)s", line=problem.line, problem=message or problem.message)


def skipped_text(skipped: Skipped) -> str:
    """``第 6 行：跳过问答题，明礼不支持这种题型``."""
    known = _SKIPPED_KINDS.get(skipped.kind)
    # A type we have no name for (a plug-in's) is named as the file names it.
    kind = str(known) if known is not None else _fill(_("“{0}”类型的题目"), (skipped.kind,))
    return _("第 %(line)s 行：跳过%(kind)s，明礼不支持这种题型", line=skipped.line, kind=kind)
