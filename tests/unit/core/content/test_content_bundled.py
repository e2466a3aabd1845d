"""The pack shipped with the app is complete: every type, step, purpose and method is covered."""

from __future__ import annotations

import re

import pytest

from desktop.core.content.fill import fill_script
from desktop.core.content.loader import bundled_pack_dir, check_pack, contrast_with_white, load_pack
from desktop.core.content.model import (
    PURPOSES,
    SCRIPT_VARIABLES,
    ContentPack,
)
from desktop.core.script_catalog import ScriptCatalog
from tests.helpers.call_types import CALL_TYPE_LABELS


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    return load_pack(bundled_pack_dir())


def test_bundled_pack_has_no_problems() -> None:
    assert check_pack(bundled_pack_dir()) == []


def test_call_types_in_order_with_f_keys(pack: ContentPack) -> None:
    assert [(t.key, t.label) for t in pack.call_types] == list(CALL_TYPE_LABELS.items())
    assert [t.shortcut for t in pack.call_types] == [f"F{i}" for i in range(1, 9)]
    colors = [t.color.upper() for t in pack.call_types]
    assert len(set(colors)) == 8
    assert all(contrast_with_white(c) >= 4.5 for c in colors)  # AA for normal text
    assert all(t.description for t in pack.call_types)


def test_complaint_checklist_is_the_six_steps(pack: ContentPack) -> None:
    keys = [s.key for s in pack.steps("complaint")]
    assert keys == ["greeting", "accept", "calm", "clarify", "solutions", "act", "thank", "close"]
    labels = [s.label for s in pack.steps("complaint")][1:-1]
    assert labels == ["接受怨诉", "平息怒气", "澄清问题", "探讨解决方案", "采取行动", "感谢客户"]


def test_order_and_booking_confirm_details_then_read_back(pack: ContentPack) -> None:
    order = [s.key for s in pack.steps("order")]
    assert order.index("read_back") > max(order.index(k) for k in ("item", "quantity", "address"))
    assert order.index("price_rules") < order.index("confirm")
    booking = [s.key for s in pack.steps("booking")]
    assert booking.index("read_back") > booking.index("time_slot")


def test_every_step_has_a_short_hint_and_a_script(pack: ContentPack) -> None:
    for type_key, steps in pack.checklists.items():
        for step in steps:
            assert 0 < len(step.hint) <= 40, (type_key, step.key, step.hint)
            matching = [
                s for s in pack.scripts if s.step == step.key and s.call_type in (type_key, "any")
            ]
            assert matching, f"no script for {type_key}.{step.key}"


def test_script_counts_and_purposes(pack: ContentPack) -> None:
    assert len(pack.scripts) >= 100
    by_purpose = {p: [s for s in pack.scripts if s.purpose == p] for p in PURPOSES}
    assert all(by_purpose.values()), [p for p, s in by_purpose.items() if not s]
    assert len(by_purpose["refuse"]) >= 5
    assert len(by_purpose["progress"]) >= 5
    assert len(by_purpose["closing"]) >= 5
    assert sum("组长" in s.text for s in by_purpose["transfer"]) >= 3


@pytest.mark.parametrize(
    ("method", "parts"),
    [
        ("3F", ["feel", "felt", "found"]),
        ("CLEAR", ["control", "listen", "empathy", "apologize", "resolve"]),
        ("LSCIA", ["listen", "share", "clarify", "illustrate", "ask"]),
    ],
)
def test_complaint_methods_are_complete_sequences(
    pack: ContentPack, method: str, parts: list[str]
) -> None:
    scripts = [s for s in pack.scripts if s.method == method]
    assert [s.id.rsplit("_", 1)[1] for s in scripts] == parts
    assert all(s.call_type == "complaint" for s in scripts)


def test_scripts_use_only_known_variables_and_fill_completely(pack: ContentPack) -> None:
    values = {name: "X" for name in SCRIPT_VARIABLES}
    used: set[str] = set()
    for script in pack.scripts:
        used.update(re.findall(r"\{(\w+)\}", script.text))
        filled = fill_script(script.text, values)
        assert "{" not in filled and "【" not in filled, script.id
    assert used == SCRIPT_VARIABLES  # the pack's own variables are already filled in


def test_policy_lives_in_pack_variables_not_in_scripts(pack: ContentPack) -> None:
    variables = {v.name: v for v in pack.variables}
    wanted = {"refund_days", "delivery_days", "exchange_days", "goodwill_gift", "free_cancel_hours"}
    assert wanted <= variables.keys()
    assert all(v.label and v.value for v in variables.values())
    raw = "".join(
        p.read_text("utf-8") for p in sorted((bundled_pack_dir() / "scripts").glob("*.toml"))
    )
    for name in variables:
        assert f"{{{name}}}" in raw, f"pack variable {name} is used by no script"
    texts = {s.id: s.text for s in pack.scripts}
    assert variables["refund_days"].value in texts["status_report_refund"]
    # hard-coded promises found in review are gone
    assert "三天内" not in texts["complaint_solutions_lscia_illustrate"]
    assert "小赠品" not in texts["order_price_refuse_extra_discount"]
    hours = next(r for r in pack.reminder_rules if r.key == "complaint_verify").offset_minutes
    assert variables["verify_hours"].value == str(hours // 60)


# —— safety ——


def test_gas_smell_has_its_own_line_that_never_touches_a_switch(pack: ContentPack) -> None:
    gas = pack.script("fault_safety_gas")
    assert gas is not None
    for must in ("关闭燃气阀门", "通风", "不要开关任何电器", "室外", "抢修电话"):
        assert must in gas.text, must
    for never in ("断开电源", "断电", "拔", "关机", "重启", "关掉电源"):
        assert never not in gas.text, never
    electrical = pack.script("fault_symptoms_safety")
    assert electrical is not None and "燃气" not in electrical.text
    assert "冒烟" in electrical.text and "进了水" in electrical.text


def test_no_fault_script_tells_a_caller_to_cut_the_power_before_safety_is_checked(
    pack: ContentPack,
) -> None:
    power = ("断开电源", "断电", "拔掉电源", "关掉电源", "关机")
    for script in pack.scripts:
        if script.call_type != "fault" or not any(w in script.text for w in power):
            continue
        assert script.step == "basic_check", script.id
        assert "燃气味" in script.text, script.id  # only once gas is ruled out


def test_the_fault_flow_starts_with_a_safety_step_that_routes_hazards(pack: ContentPack) -> None:
    steps = pack.steps("fault")
    keys = [s.key for s in steps]
    assert keys.index("safety") == 1
    assert keys.index("safety") < keys.index("symptoms") < keys.index("basic_check")
    safety = steps[1]
    assert safety.required and "紧急" in safety.hint
    assert {"fault_safety_ask", "fault_safety_gas", "fault_symptoms_safety"} <= set(safety.scripts)
    urgent = [pack.script(i) for i in safety.scripts]
    assert any(s is not None and "紧急" in s.text for s in urgent)
    asked = pack.script("fault_safety_ask")
    assert asked is not None
    assert all(w in asked.text for w in ("燃气", "冒烟", "火花", "进水"))
    impact = next(s for s in steps if s.key == "impact")
    assert impact.required and "紧急" in impact.hint
    assert "verify_restored" in keys and keys.index("verify_restored") > keys.index("basic_check")


# —— training methods, scenarios, scoping ——


def test_the_training_material_is_covered(pack: ContentPack) -> None:
    tags = {t for s in pack.scripts for t in s.tags}
    wanted = "幽默法 吵闹型 冷却型 发泄型 争辩型 上诉型 症状分析 意外预案 补偿+预防"
    wanted += " 产品质量 物流配送 订单错误 服务态度 价格争议 区域故障 无声来电 媒体来电 设定边界"
    assert set(wanted.split()) <= tags
    boundary = [s for s in pack.scripts if "设定边界" in s.tags]
    assert any("我理解您的不满，现在我们一起看看怎么把事情处理好" in s.text for s in boundary)
    authority = [s for s in pack.scripts if "上诉型" in s.tags]
    assert any("12315" in s.text or "消协" in s.text for s in authority)
    arguing = [s for s in pack.scripts if "争辩型" in s.tags]
    assert all("委婉否认法" in s.tags for s in arguing)
    quality = next(s for s in pack.scripts if "产品质量" in s.tags)
    assert "照片" in quality.text


@pytest.mark.parametrize(
    ("method", "parts"),
    [
        ("RECOVERY", ["apology", "admit", "act", "compensate", "follow"]),
        ("PSF", ["problem", "solution", "followup"]),
    ],
)
def test_named_sequences_are_complete(pack: ContentPack, method: str, parts: list[str]) -> None:
    scripts = [s for s in pack.scripts if s.method == method]
    assert [s.id.rsplit("_", 1)[1] for s in scripts] == parts


def test_complaints_promise_verification_within_two_hours(pack: ContentPack) -> None:
    act = next(s for s in pack.steps("complaint") if s.key == "act")
    verify = pack.script(act.scripts[0])
    assert verify is not None and "2小时内核实情况" in verify.text.replace(" ", "")


def test_every_step_offers_at_least_two_scripts(pack: ContentPack) -> None:
    for type_key, steps in pack.checklists.items():
        for step in steps:
            assert len(step.scripts) >= 2, (type_key, step.key)


def test_the_satisfaction_question_is_never_offered_on_unrelated_calls_or_complaints(
    pack: ContentPack,
) -> None:
    catalog = ScriptCatalog(pack)
    satisfaction = {s.id for s in pack.scripts if "满意度" in s.tags or "满意吗" in s.text}
    assert satisfaction
    for type_key in ("unrelated", "complaint"):
        for step in [None, *(s.key for s in pack.steps(type_key))]:
            shown = {s.id for g in catalog.groups(type_key, step) for s in g.scripts}
            assert not shown & satisfaction, (type_key, step)
    inquiry = {s.id for g in catalog.groups("inquiry", "close") for s in g.scripts}
    assert satisfaction & inquiry


def test_order_checklist_fits_virtual_goods_and_takes_payment(pack: ContentPack) -> None:
    steps = {s.key: s for s in pack.steps("order")}
    keys = list(steps)
    assert not steps["address"].required and not steps["delivery_time"].required
    assert "虚拟商品" in steps["address"].hint and "虚拟商品" in steps["delivery_time"].hint
    assert keys.index("price_rules") < keys.index("read_back")
    assert steps["payment"].required
    assert keys.index("payment") < keys.index("read_back") < keys.index("confirm")


def test_closing_steps_are_consistent(pack: ContentPack) -> None:
    """Every close recaps (unrelated calls have nothing to recap) and says goodbye; none asks
    the closed satisfaction question by default (it comes with the step where it fits)."""
    for type_key, steps in pack.checklists.items():
        close = [pack.script(i) for i in steps[-1].scripts]
        purposes = [s.purpose for s in close if s is not None]
        assert purposes[-1] == "closing", type_key
        assert "confirm" in purposes or type_key == "unrelated", type_key
        assert "any_close_satisfied" not in steps[-1].scripts, type_key
