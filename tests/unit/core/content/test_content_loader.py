"""Every kind of mistake a team lead can make in a pack is reported at its exact `file:key`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from desktop.core.content.loader import check_pack, load_pack
from desktop.core.content.model import OUTCOMES, PURPOSES, ContentPack
from desktop.core.content.problems import PackError, Problem

if TYPE_CHECKING:
    from conftest import PackCopy


def test_copy_of_bundled_pack_is_clean(pack: PackCopy) -> None:
    assert pack.problems() == []
    loaded = load_pack(pack.root)
    assert isinstance(loaded, ContentPack)
    assert loaded.source_dir == str(pack.root)


def test_problem_str_is_file_key_message() -> None:
    assert str(Problem("a.toml", "x.y", "bad")) == "a.toml:x.y: bad"
    assert str(Problem("a.toml", "", "file not found")) == "a.toml: file not found"
    assert str(Problem("", "", "pack directory not found")) == "pack directory not found"


def test_load_pack_raises_pack_error_with_every_problem(pack: PackCopy) -> None:
    (pack.root / "phrases.toml").unlink()
    (pack.root / "reminder_rules.toml").unlink()
    with pytest.raises(PackError) as raised:
        load_pack(pack.root)
    assert [str(p) for p in raised.value.problems] == pack.problems()
    assert len(raised.value.problems) == 2
    assert "2 problem(s)" in str(raised.value)


# —— reading files ——


def test_missing_pack_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert [str(p) for p in check_pack(missing)] == [f"pack directory not found: {missing}"]


def test_missing_file(pack: PackCopy) -> None:
    (pack.root / "phrases.toml").unlink()
    assert pack.problems() == ["phrases.toml: file not found"]


def test_toml_syntax_error_names_the_line_and_nothing_cascades(pack: PackCopy) -> None:
    path = pack.root / "call_types.toml"
    text = path.read_text("utf-8") + "\nbroken = \n"
    path.write_text(text, "utf-8")
    line = text.count("\n")
    [problem] = pack.problems()  # no "unknown call type" for every script that names one
    assert problem.startswith(f"call_types.toml:line {line}: TOML syntax error: ")
    assert "(column " in problem


def test_file_that_is_not_utf8(pack: PackCopy) -> None:
    path = pack.root / "phrases.toml"
    raw = path.read_text("utf-8").encode("gb18030")
    path.write_bytes(raw)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        offset = e.start
    assert pack.problems() == [f"phrases.toml: not UTF-8 text (invalid byte at offset {offset})"]


def test_utf8_bom_is_accepted(pack: PackCopy) -> None:
    path = pack.root / "phrases.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert pack.problems() == []


def test_missing_scripts_directory(pack: PackCopy) -> None:
    for path in (pack.root / "scripts").iterdir():
        path.unlink()
    assert pack.problems() == ["scripts: no script files (*.toml)"]
    (pack.root / "scripts").rmdir()
    assert pack.problems() == ["scripts: directory not found"]


# —— structure and types ——


def test_unknown_keys(pack: PackCopy) -> None:
    def change(doc: dict) -> None:
        pack.item(doc["call_type"], "key", "inquiry")["colour"] = "#000000"
        doc["calltype"] = []

    pack.edit("call_types.toml", change)
    assert pack.problems() == [
        "call_types.toml:call_type.inquiry.colour: unknown key",
        "call_types.toml:calltype: unknown key",
    ]


def test_missing_field(pack: PackCopy) -> None:
    pack.edit(
        "call_types.toml", lambda d: pack.item(d["call_type"], "key", "fault").pop("description")
    )
    assert pack.problems() == ["call_types.toml:call_type.fault.description: missing"]


def test_wrong_types(pack: PackCopy) -> None:
    pack.edit("checklists.toml", lambda d: d["checklist"]["order"][2].update(required="yes"))
    pack.edit(
        "reminder_rules.toml",
        lambda d: pack.item(d["rule"], "key", "complaint_first_response").update(
            offset_minutes="15", office_hours=1
        ),
    )
    pack.edit("scripts/order.toml", lambda d: d["script"][0].update(tags="热销"))
    pack.edit("pack.toml", lambda d: d["pack"].update(version=1))
    assert pack.problems() == [
        "pack.toml:pack.version: expected a string",
        "checklists.toml:checklist.order[2].required: expected a boolean",
        "scripts/order.toml:script.order_item_ask.tags: expected a list of strings",
        "reminder_rules.toml:rule.complaint_first_response.offset_minutes: expected an integer",
        "reminder_rules.toml:rule.complaint_first_response.office_hours: expected a boolean",
    ]


def test_tables_that_are_not_tables(pack: PackCopy) -> None:
    pack.edit("scripts/booking.toml", lambda d: d.update(script="预订"))
    pack.edit("pack.toml", lambda d: d.update(pack=["zh_CN"]))
    pack.edit("phrases.toml", lambda d: d["phrase"].insert(0, "不行"))
    problems = pack.problems()
    assert problems[:1] == ["pack.toml:pack: expected a table"]
    assert "scripts/booking.toml:script: expected an array of tables" in problems
    assert "phrases.toml:phrase[0]: expected a table" in problems


def test_empty_strings(pack: PackCopy) -> None:
    pack.edit(
        "call_types.toml", lambda d: pack.item(d["call_type"], "key", "order").update(label=" ")
    )
    pack.edit("scripts/order.toml", lambda d: d["script"][0].update(tags=["热销", ""]))
    assert pack.problems() == [
        "call_types.toml:call_type.order.label: must not be empty",
        "scripts/order.toml:script.order_item_ask.tags[1]: must not be empty",
    ]


def test_item_without_usable_id_is_named_by_index(pack: PackCopy) -> None:
    pack.edit("scripts/booking.toml", lambda d: d["script"][0].update(id="Booking Ask"))
    assert pack.problems() == [
        "checklists.toml:checklist.booking[1].scripts[0]: unknown script id 'booking_service_ask'",
        "scripts/booking.toml:script[0].id: invalid id 'Booking Ask' "
        "(use lowercase letters, digits and _)",
    ]


# —— duplicates ——


def test_duplicate_script_id_across_files(pack: PackCopy) -> None:
    def change(doc: dict) -> None:
        doc["script"].append(dict(doc["script"][0], id="any_close_thanks"))

    pack.edit("scripts/complaint.toml", change)
    assert pack.problems() == [
        "scripts/complaint.toml:script.any_close_thanks.id: duplicate id (also in scripts/common.toml)"
    ]


def test_duplicate_keys(pack: PackCopy) -> None:
    pack.edit("call_types.toml", lambda d: d["call_type"][1].update(key="inquiry"))
    pack.edit("reminder_rules.toml", lambda d: d["rule"][1].update(key="callback_promised"))
    pack.edit("phrases.toml", lambda d: d["phrase"][1].update(phrase="不行"))
    pack.edit("checklists.toml", lambda d: d["checklist"]["order"][2].update(key="item"))
    problems = pack.problems()
    assert "call_types.toml:call_type.inquiry.key: duplicate key" in problems
    assert "checklists.toml:checklist.order[2].key: duplicate step key 'item'" in problems
    assert "reminder_rules.toml:rule.callback_promised.key: duplicate key" in problems
    assert "phrases.toml:phrase[1].phrase: duplicate phrase '不行'" in problems


# —— call types ——


@pytest.mark.parametrize("shortcut", ["F13", "F0", "Ctrl+1", "f1", "", "中"])
def test_bad_shortcut(pack: PackCopy, shortcut: str) -> None:
    pack.edit(
        "call_types.toml",
        lambda d: pack.item(d["call_type"], "key", "inquiry").update(shortcut=shortcut),
    )
    message = (
        "must not be empty"
        if not shortcut
        else f"invalid shortcut '{shortcut}' (use F1–F12 or one letter or digit)"
    )
    assert pack.problems() == [f"call_types.toml:call_type.inquiry.shortcut: {message}"]


def test_duplicate_shortcut_and_letter_shortcuts(pack: PackCopy) -> None:
    pack.edit("call_types.toml", lambda d: d["call_type"][1].update(shortcut="F1"))
    assert pack.problems() == [
        "call_types.toml:call_type.complaint.shortcut: shortcut 'F1' is already used by 'inquiry'"
    ]
    pack.edit("call_types.toml", lambda d: d["call_type"][1].update(shortcut="q"))
    assert load_pack(pack.root).call_type("complaint").shortcut == "Q"


@pytest.mark.parametrize(
    ("color", "message"),
    [
        ("red", "invalid colour 'red' (use #RRGGBB)"),
        ("#12345", "invalid colour '#12345' (use #RRGGBB)"),
        ("#FFFF00", "colour #FFFF00 is too light for white text (contrast 1.1:1, need 3:1)"),
    ],
)
def test_bad_colour(pack: PackCopy, color: str, message: str) -> None:
    pack.edit(
        "call_types.toml", lambda d: pack.item(d["call_type"], "key", "inquiry").update(color=color)
    )
    assert pack.problems() == [f"call_types.toml:call_type.inquiry.color: {message}"]


def test_any_is_reserved_as_a_call_type_key(pack: PackCopy) -> None:
    pack.edit(
        "call_types.toml",
        lambda d: d["call_type"].append(dict(d["call_type"][0], key="any", shortcut="F9")),
    )
    assert (
        "call_types.toml:call_type.any.key: 'any' is reserved for scripts that fit every type"
        in (pack.problems())
    )


def test_no_call_types(pack: PackCopy) -> None:
    pack.edit("call_types.toml", lambda d: d.update(call_type=[]))
    assert "call_types.toml:call_type: no call types defined" in pack.problems()


# —— references between files ——


def test_unknown_call_type_references(pack: PackCopy) -> None:
    pack.edit(
        "scripts/order.toml",
        lambda d: pack.item(d["script"], "id", "order_quantity_ask").update(call_type="sales"),
    )
    pack.edit(
        "reminder_rules.toml",
        lambda d: pack.item(d["rule"], "key", "complaint_revisit").update(
            call_types=["complaint", "sales"]
        ),
    )
    pack.edit("intent_keywords.toml", lambda d: d["keywords"].update(sales={"推销": 1.0}))
    pack.edit(
        "checklists.toml",
        lambda d: d["checklist"].update(
            sales=d["checklist"]["order"][:1] + d["checklist"]["order"][-1:]
        ),
    )
    assert pack.problems() == [
        "checklists.toml:checklist.sales: unknown call type 'sales'",
        "scripts/order.toml:script.order_quantity_ask.call_type: unknown call type 'sales'",
        "reminder_rules.toml:rule.complaint_revisit.call_types[1]: unknown call type 'sales'",
        "intent_keywords.toml:keywords.sales: unknown call type 'sales'",
    ]


def test_unknown_step_references(pack: PackCopy) -> None:
    pack.edit(
        "scripts/order.toml",
        lambda d: pack.item(d["script"], "id", "order_quantity_ask").update(step="identify"),
    )
    pack.edit(
        "scripts/common.toml",
        lambda d: pack.item(d["script"], "id", "any_close_thanks").update(step="pay"),
    )
    assert pack.problems() == [
        "scripts/common.toml:script.any_close_thanks.step: step 'pay' is in no checklist",
        "scripts/order.toml:script.order_quantity_ask.step: step 'identify' is not in the 'order' checklist",
    ]


def test_step_suggesting_missing_or_foreign_script(pack: PackCopy) -> None:
    pack.edit(
        "checklists.toml",
        lambda d: d["checklist"]["order"][1].update(
            scripts=["order_item_ask", "nope", "complaint_act_now"]
        ),
    )
    assert pack.problems() == [
        "checklists.toml:checklist.order[1].scripts[1]: unknown script id 'nope'",
        "checklists.toml:checklist.order[1].scripts[2]: script 'complaint_act_now' is for call type 'complaint'",
    ]


def test_checklist_must_start_with_greeting_and_end_with_close(pack: PackCopy) -> None:
    def change(doc: dict) -> None:
        doc["checklist"]["order"].pop(0)
        doc["checklist"]["order"].pop()

    pack.edit("checklists.toml", change)
    assert pack.problems() == [
        "checklists.toml:checklist.order: must start with step 'greeting'",
        "checklists.toml:checklist.order: must end with step 'close'",
    ]


def test_empty_checklist_and_call_type_without_checklist(pack: PackCopy) -> None:
    def change(doc: dict) -> None:
        doc["checklist"]["order"] = []
        del doc["checklist"]["fault"]

    pack.edit("checklists.toml", change)
    assert pack.problems() == [
        "checklists.toml:checklist.order: checklist is empty",
        "checklists.toml:checklist.fault: call type 'fault' has no checklist",
    ]


# —— vocabularies ——


def test_unknown_purpose_method_kind_outcome(pack: PackCopy) -> None:
    def scripts(doc: dict) -> None:
        pack.item(doc["script"], "id", "complaint_calm_3f_feel").update(
            purpose="soothe", method="4F"
        )

    def rules(doc: dict) -> None:
        pack.item(doc["rule"], "key", "complaint_revisit").update(kind="visit", outcomes=["done"])

    pack.edit("scripts/complaint.toml", scripts)
    pack.edit("reminder_rules.toml", rules)
    key = "scripts/complaint.toml:script.complaint_calm_3f_feel"
    assert pack.problems() == [
        f"{key}.purpose: unknown purpose 'soothe' (use one of: {', '.join(sorted(PURPOSES))})",
        f"{key}.method: unknown method '4F' (use one of: 3F, CLEAR, LSCIA, PSF, RECOVERY)",
        "reminder_rules.toml:rule.complaint_revisit.kind: unknown reminder kind 'visit' "
        "(use one of: callback, first_response, progress, revisit)",
        "reminder_rules.toml:rule.complaint_revisit.outcomes[0]: unknown outcome 'done' "
        f"(use one of: {', '.join(OUTCOMES)})",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{agnt_name}您好", "unknown variable {agnt_name}"),
        ("{customer_name您好", "unbalanced braces"),
        ("您好}", "unbalanced braces"),
        ("{customer_name!r}您好", "format spec not allowed in {customer_name!r}"),
        ("工号{agent_id:>3}", "format spec not allowed in {agent_id:>3}"),
        ("您好{}", "empty placeholder {}"),
        ("{company.name}", "unknown variable {company.name}"),
    ],
)
def test_bad_variables_in_text(pack: PackCopy, text: str, message: str) -> None:
    pack.edit(
        "scripts/complaint.toml",
        lambda d: pack.item(d["script"], "id", "complaint_calm_3f_feel").update(text=text),
    )
    assert pack.problems() == [
        f"scripts/complaint.toml:script.complaint_calm_3f_feel.text: {message}"
    ]


def test_escaped_braces_are_fine(pack: PackCopy) -> None:
    pack.edit(
        "scripts/complaint.toml", lambda d: d["script"][0].update(text="{{备注}} {customer_name}")
    )
    assert pack.problems() == []


def test_negative_offsets(pack: PackCopy) -> None:
    pack.edit(
        "reminder_rules.toml",
        lambda d: pack.item(d["rule"], "key", "complaint_progress").update(
            offset_minutes=-5, repeat_minutes=-1440
        ),
    )
    assert pack.problems() == [
        "reminder_rules.toml:rule.complaint_progress.offset_minutes: must not be negative",
        "reminder_rules.toml:rule.complaint_progress.repeat_minutes: must not be negative",
    ]


def test_offsets_beyond_a_year_are_typos(pack: PackCopy) -> None:
    pack.edit(
        "reminder_rules.toml",
        lambda d: pack.item(d["rule"], "key", "complaint_revisit").update(offset_minutes=10**30),
    )
    assert pack.problems() == [
        "reminder_rules.toml:rule.complaint_revisit.offset_minutes: must be at most 527040 (366 days)"
    ]


@pytest.mark.parametrize("weight", [0, -1.5, "2", True, float("nan"), float("inf"), [1.0], 10**400])
def test_keyword_weight_must_be_positive_number(pack: PackCopy, weight: object) -> None:
    pack.edit("intent_keywords.toml", lambda d: d["keywords"]["order"].update({"下单": weight}))
    assert pack.problems() == [
        "intent_keywords.toml:keywords.order.下单: weight must be a positive number"
    ]


def test_bad_signals(pack: PackCopy) -> None:
    def change(doc: dict) -> None:
        doc["signals"]["complaint"] = "投诉"
        doc["signals"]["escalation"].append("")
        doc["keywords"]["help"] = 2.0

    pack.edit("intent_keywords.toml", change)
    n = len(pack.load("intent_keywords.toml")["signals"]["escalation"]) - 1
    assert pack.problems() == [
        "intent_keywords.toml:signals.complaint: expected a list of strings",
        f"intent_keywords.toml:signals.escalation[{n}]: must not be empty",
        'intent_keywords.toml:keywords.help: expected a table of "word" = weight',
    ]


def test_several_problems_in_several_files_are_all_reported(pack: PackCopy) -> None:
    (pack.root / "phrases.toml").unlink()
    pack.edit("call_types.toml", lambda d: d["call_type"][0].update(color="blue"))
    pack.edit("scripts/help.toml", lambda d: d["script"][0].update(text="{agnt_name}", purpose="x"))
    pack.edit("reminder_rules.toml", lambda d: d["rule"][0].pop("label"))
    assert pack.problems() == [
        "call_types.toml:call_type.inquiry.color: invalid colour 'blue' (use #RRGGBB)",
        "scripts/help.toml:script.help_understand_where.purpose: unknown purpose 'x' "
        f"(use one of: {', '.join(sorted(PURPOSES))})",
        "scripts/help.toml:script.help_understand_where.text: unknown variable {agnt_name}",
        "reminder_rules.toml:rule.callback_promised.label: missing",
        "phrases.toml: file not found",
    ]


# —— phrase rules ——


def test_phrase_patterns_and_exceptions_are_validated(pack: PackCopy) -> None:
    def change(doc: dict) -> None:
        rules = doc["phrase"]
        pack.item(rules, "phrase", "这不归我管")["pattern"] = "(这|不归…管"
        pack.item(rules, "phrase", "你听我说")["pattern"] = "你先听我讲"
        pack.item(rules, "phrase", "不能")["except"] = ["谢谢您"]
        pack.item(rules, "phrase", "不知道")["except"] = "不知道您"
        pack.item(rules, "phrase", "不清楚")["excepts"] = ["听不清楚"]

    pack.edit("phrases.toml", change)
    problems = pack.problems()
    names = [r["phrase"] for r in pack.load("phrases.toml")["phrase"]]

    def at(phrase: str) -> str:
        return f"phrases.toml:phrase[{names.index(phrase)}]"

    assert sorted(problems) == sorted(
        [
            f"{at('不能')}.except[0]: '谢谢您' does not contain the phrase, so it never applies",
            f"{at('不知道')}.except: expected a list of strings",
            f"{at('不清楚')}.excepts: unknown key",
            f"{at('这不归我管')}.pattern: invalid pattern: '(' is never closed",
            f"{at('你听我说')}.phrase: '你听我说' is not matched by its own pattern",
        ]
    )


# —— pack variables and script scoping ——


def test_pack_variables_are_validated_and_filled_in(pack: PackCopy) -> None:
    def change(doc: dict) -> None:
        variables = doc["variables"]
        variables["refund_days"]["value"] = "10"
        variables["company"] = {"label": "公司", "value": "X"}
        variables["Bad-Name"] = {"label": "x", "value": "y"}
        variables["gift"] = {"label": "礼品", "value": "{goodwill_gift}"}
        variables["fee"] = {"value": "5 元"}

    pack.edit("pack.toml", change)
    pack.replace_text(
        "scripts/status.toml", "预计{refund_days}个工作日内", "预计{refund_day}个工作日内"
    )
    assert sorted(pack.problems()) == sorted(
        [
            "pack.toml:variables.company: 'company' is filled in by the app; choose another name",
            "pack.toml:variables.Bad-Name: invalid name 'Bad-Name' (use lowercase letters, "
            "digits and _)",
            "pack.toml:variables.gift.value: must not contain braces",
            "pack.toml:variables.fee.label: missing",
            "scripts/status.toml:script.status_report_refund.text: unknown variable {refund_day}",
        ]
    )


def test_a_pack_variable_is_filled_into_the_script_text(pack: PackCopy) -> None:
    pack.edit("pack.toml", lambda d: d["variables"]["refund_days"].update(value="10"))
    loaded = load_pack(pack.root)
    script = loaded.script("status_report_refund")
    assert script is not None and "预计10个工作日内" in script.text
    assert {v.name: v.value for v in loaded.variables}["refund_days"] == "10"


def test_not_for_is_only_for_shared_scripts_and_names_call_types(pack: PackCopy) -> None:
    pack.replace_text(
        "scripts/common.toml",
        'not_for = ["unrelated", "complaint"]',
        'not_for = ["unrelated", "complain"]',
    )
    pack.replace_text(
        "scripts/status.toml",
        'title = "正在查询"',
        'title = "正在查询"\nnot_for = ["fault"]',
    )
    assert sorted(pack.problems()) == [
        "scripts/common.toml:script.any_close_satisfied.not_for[1]: unknown call type 'complain'",
        "scripts/status.toml:script.status_look_up.not_for: only a script for call type 'any' "
        "can exclude types",
    ]


def test_an_unreadable_pack_toml_does_not_bury_the_report_in_unknown_variables(
    pack: PackCopy,
) -> None:
    (pack.root / "pack.toml").write_text("[pack\n", "utf-8")
    problems = pack.problems()
    assert problems[0].startswith("pack.toml:line 1: TOML syntax error")
    assert not [p for p in problems if "unknown variable" in p]
