"""Journey 2: a trainer writes a question of every type in a course's bank, previews each as a
learner, corrects a form the server refused, then imports GIFT files through the wizard."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Page, expect

from tests.e2e.helpers import check_accessibility, log_in

COURSE_TITLE = "服务礼仪"  # courses/etiquette: the learner journey uses another course's bank


@dataclass
class Draft:
    """One question as the trainer types it, and what the learner must not see before submitting."""

    qtype: str
    label: str  # the "new" button on the bank page
    key: str
    stem: str
    feedback: str
    secrets: list[str] = field(default_factory=list)  # answers only the answer sheet may show


def drafts(tag: str) -> list[Draft]:
    return [
        Draft("single", "单选题", f"e2e-single-{tag}", f"顾客问路时,首先应该怎么做?({tag})",
              f"先停下手头工作,再指路。解析-single-{tag}"),
        Draft("multiple", "多选题", f"e2e-multiple-{tag}", f"接听电话时哪些做法是对的?({tag})",
              f"铃响三声内接听并自报家门。解析-multiple-{tag}"),
        Draft("truefalse", "判断题", f"e2e-truefalse-{tag}", f"微笑服务只适用于窗口岗位。({tag})",
              f"所有岗位都需要微笑服务。解析-truefalse-{tag}"),
        Draft("ordering", "排序题", f"e2e-ordering-{tag}", f"接待来访者的步骤依次是?({tag})",
              f"先起身,再问候,后办事。解析-ordering-{tag}"),
        Draft("matching", "匹配题", f"e2e-matching-{tag}", f"把场景与恰当的用语配对。({tag})",
              f"礼貌用语要与场景相符。解析-matching-{tag}"),
        Draft("short", "简答题", f"e2e-short-{tag}", f"服务中最常用的礼貌用语是哪两个字?({tag})",
              f"“您好”最常用。解析-short-{tag}", secrets=[f"您好{tag}"]),
        Draft("scenario", "情景题", f"e2e-scenario-{tag}", f"顾客排队很久后发火,你会怎么回应?({tag})",
              f"先致歉并说明原因。解析-scenario-{tag}"),
    ]  # fmt: skip


def cells(page: Page, label: str):
    """The inputs of one column of a row table (each cell is labelled with its column name)."""
    return page.get_by_label(label, exact=True)


def fill_type_fields(page: Page, d: Draft) -> None:
    if d.qtype in ("single", "multiple"):
        texts = ["先问候", "直接指路", "先办完手头的事", "请对方自己看指示牌"]
        for i, text in enumerate(texts):
            cells(page, "选项").nth(i).fill(text)
        right = [0] if d.qtype == "single" else [0, 1]
        for i in right:
            cells(page, "正确").nth(i).check()
        cells(page, "选中时的反馈(可不填)").nth(1).fill("指路之前先问候。")
    elif d.qtype == "scenario":
        replies = [("先致歉,再说明原因", "100"), ("解释制度规定", "50"), ("请顾客冷静", "0")]
        for i, (text, grade) in enumerate(replies):
            cells(page, "回应").nth(i).fill(text)
            cells(page, "评分").nth(i).select_option(grade)
            cells(page, "针对此回应的反馈").nth(i).fill(f"反馈{i + 1}")
    elif d.qtype == "truefalse":
        page.get_by_label("错误", exact=True).check()
    elif d.qtype == "ordering":
        page.get_by_label(re.compile("^步骤")).fill("起身\n问候\n办事")
    elif d.qtype == "matching":
        pairs = [("初次见面", "您好"), ("麻烦别人", "劳驾"), ("请人原谅", "抱歉")]
        for i, (left, right) in enumerate(pairs):
            cells(page, "左侧").nth(i).fill(left)
            cells(page, "右侧").nth(i).fill(right)
        page.get_by_label(re.compile("^干扰项")).fill("再见")
    elif d.qtype == "short":
        page.get_by_label(re.compile("^可接受的答案")).fill(f"{d.secrets[0]}\n你好")


def fill_common(page: Page, d: Draft, *, stem: bool = True) -> None:
    page.get_by_label("编号").fill(d.key)
    page.get_by_label("考查课节").select_option(index=1)
    page.get_by_label("难度").select_option("2")
    if stem:
        page.get_by_label("题干").fill(d.stem)
    page.get_by_label(re.compile("^解析")).fill(d.feedback)


def open_new_form(page: Page, d: Draft) -> None:
    page.get_by_role("link", name=d.label, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(f"新建{d.label}"))).to_be_visible()
    check_accessibility(page)


def check_preview(page: Page, d: Draft) -> None:
    """The saved question as the learner sees it: no answer, no feedback until the toggle."""
    expect(page.get_by_role("heading", name=re.compile(f"预览 {d.key}"))).to_be_visible()
    check_accessibility(page)
    question = page.locator("fieldset.question#q1")
    expect(question).to_contain_text(d.stem)
    main = page.locator("main")
    expect(page.locator(".answer-sheet")).to_have_count(0)
    for hidden in ["正确答案", "✓", d.feedback, *d.secrets]:
        expect(main).not_to_contain_text(hidden)
    if d.qtype == "short":
        expect(question.get_by_label("答案")).to_have_value("")
    page.get_by_role("link", name="显示答案").click()
    sheet = page.locator(".answer-sheet")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("正确答案")
    expect(sheet).to_contain_text(d.feedback)
    check_accessibility(page)  # with the answer sheet
    page.get_by_role("link", name="隐藏答案").click()
    expect(page.locator(".answer-sheet")).to_have_count(0)


def write_every_type(page: Page, base: str, tag: str, shots) -> list[str]:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="题库").click()
    check_accessibility(page)
    page.get_by_role("link", name=COURSE_TITLE).click()
    expect(page.get_by_role("heading", name=re.compile(COURSE_TITLE))).to_be_visible()
    check_accessibility(page)
    bank_url = page.url
    keys = []
    for n, d in enumerate(drafts(tag)):
        open_new_form(page, d)
        if n == 0:
            # First a form the server refuses: no stem, two "correct" answers on a single choice.
            fill_common(page, d, stem=False)
            fill_type_fields(page, d)
            cells(page, "正确").nth(1).check()
            page.get_by_role("button", name="保存").click()
            expect(page.get_by_role("alert").filter(has_text="有些内容需要修改")).to_be_visible()
            stem_field = page.locator(".field.has-error", has=page.get_by_label("题干"))
            expect(stem_field).to_contain_text("请填写题干")
            expect(page.get_by_label("题干")).to_have_attribute("aria-invalid", "true")
            expect(page.locator("fieldset.rows")).to_contain_text("单选题必须恰好有一个正确选项")
            expect(cells(page, "选项").nth(2)).to_have_value("先办完手头的事")  # nothing lost
            expect(page.get_by_label(re.compile("^解析"))).to_have_value(d.feedback)
            shots("field-errors")
            page.get_by_label("题干").fill(d.stem)
            cells(page, "正确").nth(1).uncheck()
        else:
            fill_common(page, d)
            fill_type_fields(page, d)
        # The live preview follows the typing.
        expect(page.locator("#live-preview")).to_contain_text(d.stem)
        if d.qtype == "matching":
            page.locator("#live-preview").scroll_into_view_if_needed()
            shots("question-form")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text(f"已新建题目 {d.key}")).to_be_visible()
        check_preview(page, d)
        if d.qtype == "scenario":
            shots("preview")
        keys.append(d.key)
        page.goto(bank_url)
    for key in keys:
        expect(page.get_by_role("row").filter(has_text=key)).to_have_count(1)
    return keys


def gift_with_problems(tag: str) -> str:
    return (
        "// 两道好题、一道有错的题和一道不支持的问答题\n"  # 1
        f"::e2e-bad-1-{tag}::电话铃响几声之内应接听?{{\n"  # 2
        "=三声\n"
        "~五声\n"
        "~十声\n"
        "####铃响三声之内接听。\n"
        "}\n"  # 7
        "\n"
        f"::e2e-bad-2-{tag}::微笑是最好的语言。{{TRUE####材料原话。}}\n"  # 9
        "\n"
        f"::e2e-bad-3-{tag}::单选却有两个正确答案?{{=甲 =乙 ~丙 ####解析}}\n"  # 11
        "\n"
        f"::e2e-bad-4-{tag}::谈谈你对微笑服务的体会。{{}}\n"  # 13
    )


def clean_gift(tag: str) -> str:
    return (
        f"::e2e-imp-1-{tag}::电话铃响几声之内应接听?{{=三声 ~五声 ~十声 ####铃响三声之内接听。}}\n"
        "\n"
        f"::e2e-imp-2-{tag}::微笑是最好的语言。{{TRUE####材料原话。}}\n"
        "\n"
        f"::e2e-imp-3-{tag}::把称呼与场合配对。{{=长辈 -> 您 =同事 -> 你 =顾客 -> 先生 ####因人而异。}}\n"
        "\n"
        "// mingli: type scenario\n"
        f"::e2e-imp-4-{tag}::顾客嫌等太久。{{=致歉并说明#好 ~%50%解释规定#尚可 ~请他冷静#差 ####先致歉。}}\n"
    )  # fmt: skip


def upload(page: Page, name: str, text: str) -> None:
    page.get_by_label("题目文件").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}]
    )
    page.get_by_label("文件格式").select_option("gift")
    page.get_by_label("导入到课程").select_option(label=COURSE_TITLE)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("heading", name=re.compile("导入预览"))).to_be_visible()


def line(n: int) -> re.Pattern[str]:
    """A problem or skipped item naming line ``n`` (English or Chinese wording)."""
    return re.compile(rf"(\bline {n}\b|第 ?{n} ?行)")


def import_gift_files(page: Page, tag: str, shots) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="题库").click()
    page.get_by_role("link", name=re.compile("导入题目")).click()
    expect(page.get_by_role("heading", name="导入题目")).to_be_visible()
    check_accessibility(page)

    # A file with an error: the preview lists the questions, the error and the skipped item by
    # line, and offers no way to confirm.
    upload(page, f"mixed-{tag}.gift", gift_with_problems(tag))
    questions = page.locator("ol.import-questions > li")
    expect(questions).to_have_count(3)
    for n in (1, 2, 3):
        expect(questions.filter(has_text=f"e2e-bad-{n}-{tag}")).to_have_count(1)
    errors = page.get_by_role("alert").filter(has=page.locator("ul.import-lines"))
    expect(errors).to_contain_text("整份文件不会导入")
    expect(errors.locator("li")).to_have_count(1)
    expect(errors.locator("li")).to_contain_text(line(11))
    expect(errors.locator("li")).to_contain_text(f"e2e-bad-3-{tag}")
    skipped = page.locator("section.notice", has_text="跳过的题目").locator("li")
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text(line(13))
    expect(skipped).to_contain_text(re.compile("essay|问答"))
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shots("import-errors")

    # A clean file: preview, choose the section for questions that name none, confirm.
    page.get_by_role("link", name="重新上传").first.click()
    upload(page, f"clean-{tag}.gift", clean_gift(tag))
    expect(page.locator("ol.import-questions > li")).to_have_count(4)
    expect(page.locator(".import-summary")).to_contain_text("新增 4")
    expect(page.get_by_role("alert").filter(has_text="处问题")).to_have_count(0)
    section = page.locator("#default-section")
    second = section.locator("option").nth(1).get_attribute("value")
    section.select_option(second)
    page.get_by_role("button", name="重新预览").click()
    expect(page).to_have_url(re.compile(r"[?&]section="))
    expect(page.locator("#default-section")).to_have_value(second)
    shots("import-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text(re.compile(rf"已导入到「{COURSE_TITLE}」：新增 4 题"))).to_be_visible()
    for n in range(1, 5):
        row = page.get_by_role("row").filter(has_text=f"e2e-imp-{n}-{tag}")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(second)
    shots("bank-after-import")


def test_trainer_writes_previews_and_imports_questions(page: Page, live_server, shots):
    base, _ = live_server
    tag = page.viewport_name
    log_in(page, base, "demo-trainer", "trainer-demo")
    write_every_type(page, base, tag, shots)
    import_gift_files(page, tag, shots)
    statistics_and_settings(page)


def statistics_and_settings(page: Page) -> None:
    """The bank's other two pages, each checked by axe."""
    page.get_by_role("link", name="题目统计").first.click()
    expect(page.get_by_role("heading", name=re.compile("题目统计"))).to_be_visible()
    check_accessibility(page)
    page.go_back()
    page.get_by_role("link", name="测验设置").first.click()
    expect(page.get_by_role("heading", name=re.compile("测验设置"))).to_be_visible()
    check_accessibility(page)
