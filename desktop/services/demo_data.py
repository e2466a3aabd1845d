"""A realistic demo data set (customers, a week of calls, open reminders) for `--demo`.

Generated through the real services so the demo exercises the same code paths as real use.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import sqlite_utils

from desktop.core.clock import FakeClock, to_iso
from desktop.core.content.model import ContentPack
from desktop.services.audit import AuditLog
from desktop.services.calls import CallService

CUSTOMERS = [
    ("13800138000", "张伟"),
    ("13912345678", "王芳"),
    ("13787654321", "李娜"),
    ("15011112222", "刘洋"),
    ("15233334444", "陈静"),
    ("18655556666", "杨磊"),
    ("18977778888", "赵敏"),
    ("13699990000", "黄强"),
    ("13566667777", "周杰"),
    ("17700001111", "吴婷"),
    ("18812123434", "徐明"),
    ("13345456767", "孙丽"),
    ("15898987676", "马超"),
    ("18654543232", "朱琳"),
    ("13021212121", "胡军"),
    ("15566778899", "郭燕"),
    ("18799887766", "何勇"),
    ("13455443322", "高洁"),
    ("02168881234", "林先生"),
    ("075586661234", "罗女士"),
]

NOTES: dict[str, list[tuple[str, str]]] = {
    "inquiry": [
        ("客户咨询会员积分兑换规则，已按知识库说明，客户表示清楚。", "resolved"),
        ("询问新款路由器是否支持5G频段，已解答并发送产品说明链接。", "resolved"),
        ("咨询七天无理由退货的条件，已说明需保持商品完好。", "resolved"),
    ],
    "complaint": [
        (
            "客户投诉快递延误三天未送达，情绪激动，要求赔偿。已道歉并承诺2小时内回复物流核查结果。",
            "follow_up",
        ),
        ("投诉客服态度差，上次来电被挂断。已安抚，转组长跟进。", "transferred"),
        ("收到的商品有划痕，要求换货。已登记补发，客户接受。", "resolved"),
        ("重复扣费投诉，客户说要去12315曝光。已核实多扣一笔，提交退款工单。", "follow_up"),
    ],
    "help": [
        ("客户不会绑定手机App，已一步步指导完成绑定。", "resolved"),
        ("不会修改收货地址，已远程指导在订单页修改。", "resolved"),
    ],
    "order": [
        ("订购净水器滤芯两支，地址：上海市浦东新区，已复述订单并确认价格。", "resolved"),
        ("订购年度会员，已说明自动续费规则，客户确认。", "resolved"),
    ],
    "booking": [
        ("预约周六上午上门安装空调，已确认地址和联系电话。", "resolved"),
        ("预订下周三维修时段，客户要求下午，已改约。", "resolved"),
    ],
    "status": [
        ("查询退款进度，退款已原路退回，预计1-3个工作日到账。", "resolved"),
        ("查询订单物流，包裹在转运中心，预计明天送达。", "resolved"),
        ("查询工单处理进度，工程师已派单，承诺今天18点前回电。", "follow_up"),
    ],
    "fault": [
        ("宽带无法上网，光猫红灯闪烁，已报障派单，工程师24小时内上门。", "follow_up"),
        ("App闪退，报错代码E102，已收集信息提交技术支持。", "follow_up"),
        ("电视盒子无信号，指导重启后恢复。", "resolved"),
    ],
    "unrelated": [
        ("打错电话，找某银行客服，已告知正确号码。", "unrelated"),
        ("推销保险的来电，已礼貌结束通话。", "unrelated"),
    ],
}

INTENT_WEIGHTS = {
    "inquiry": 8,
    "complaint": 6,
    "help": 4,
    "order": 4,
    "booking": 3,
    "status": 7,
    "fault": 5,
    "unrelated": 2,
}


def populate(db: sqlite_utils.Database, pack: ContentPack, now: datetime, seed: int = 7) -> None:
    """Fill an empty database with about 45 calls over the past week and open reminders."""
    rng = random.Random(seed)
    clock = FakeClock(now - timedelta(days=7))
    audit = AuditLog(db, clock, actor="demo")
    calls = CallService(db, clock, audit, lambda: pack, agent=lambda: "demo")
    intents = list(INTENT_WEIGHTS)
    weights = list(INTENT_WEIGHTS.values())
    follow_ups: list[tuple[str, str, str, str]] = []
    for _ in range(45):
        clock.advance(minutes=rng.randint(60, 300))
        if clock.now() >= now - timedelta(minutes=30):
            break
        phone, name = rng.choice(CUSTOMERS)
        intent = rng.choices(intents, weights)[0]
        notes, outcome = rng.choice(NOTES[intent])
        if rng.random() < 0.06:
            call = calls.start_call(phone, name, source="softphone", ringing=True)
            clock.advance(seconds=rng.randint(5, 25))
            calls.mark_missed(call.id)
            continue
        call = calls.start_call(phone, name, source="softphone")
        calls.set_intent(call.id, intent)
        if intent == "complaint":
            calls.set_priority(call.id, rng.choice(["urgent", "important"]))
        for step in pack.steps(intent):
            clock.advance(seconds=rng.randint(10, 70))
            if step.required or rng.random() < 0.6:
                calls.tick(call.id, step.key)
        calls.save_notes(call.id, notes)
        clock.advance(seconds=rng.randint(20, 90))
        calls.end(call.id)
        clock.advance(seconds=rng.randint(15, 60))
        calls.wrap_up(call.id, outcome, skip_reason="演示数据")
        if outcome in ("follow_up", "transferred"):
            follow_ups.append((call.id, phone, name, intent))
    _open_reminders(db, now, follow_ups[-6:])


def _open_reminders(
    db: sqlite_utils.Database, now: datetime, cases: list[tuple[str, str, str, str]]
) -> None:
    """Two overdue, one due soon, the rest later today or tomorrow: the panel shows every group."""
    offsets = [-95, -20, 8, 90, 60 * 20, 60 * 26]
    kinds = {"complaint": "progress", "fault": "first_response", "status": "callback"}
    rows = []
    for (call_id, phone, name, intent), minutes in zip(cases, offsets, strict=False):
        kind = kinds.get(intent, "callback")
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "call_id": call_id,
                "phone": phone,
                "customer_name": name,
                "kind": kind,
                "rule_key": "",
                "due_at": to_iso(now + timedelta(minutes=minutes)),
                "target_at": to_iso(now + timedelta(minutes=minutes)),
                "case_id": call_id,
                "call_type": intent,
                "status": "pending",
                "created_at": to_iso(now - timedelta(hours=3)),
                "note": "与客户约定回电" if kind == "callback" else "跟进处理进度",
            }
        )
    db.table("reminders").insert_all(rows)
