"""Generated but realistic Chinese call-center text: call notes, talk tracks, search queries.

Everything is composed from phrase fragments with a seeded random generator, so the data is
the same on every run and every machine.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

# ---- call notes --------------------------------------------------------------------------
_OPENINGS = (
    "客户来电反映",
    "客户来电咨询",
    "客户致电称",
    "老客户再次来电，",
    "客户情绪激动，表示",
    "客户语气平和，询问",
    "客户第三次来电，说",
    "客户打来电话说",
    "來電客戶表示",
)
_SUBJECTS = (
    "快递延误三天还没送到",
    "收到的商品外包装破损，里面的杯子碎了",
    "退款申请提交一周了还没到账",
    "会员积分兑换失败，页面一直提示系统繁忙",
    "宽带从昨晚开始无法上网，光猫红灯闪烁",
    "手机App登录后闪退，报错代码E102",
    "想预约周六上午上门安装空调",
    "订购的净水器滤芯发错了型号",
    "上个月被重复扣费两次",
    "发票抬头开错了，需要重开",
    "维修师傅没有按约定时间上门",
    "想了解新款路由器是否支持5G频段",
    "客服上次答应回电但一直没有回",
    "电视盒子开机后没有信号",
    "订单显示已签收但本人没有收到",
    "想修改收货地址和联系电话",
    "分期付款的利息和手续费怎么算",
    "保修期内的冰箱不制冷了",
    "预约的体检时间想改到下周三下午",
    "话费账单里多了一项不认识的增值业务",
)
_DETAILS = (
    "订单号已核对无误",
    "已核实客户身份",
    "已查询物流信息，包裹停在转运中心",
    "系统显示工单已派给工程师",
    "客户要求当天给答复",
    "客户表示如果再不处理就去12315投诉",
    "客户提到之前已经反映过两次",
    "客户希望换货而不是退款",
    "客户要求赔偿运费",
    "已截图记录错误提示",
    "客户不方便接听白天的电话，希望晚上联系",
    "客户说你们的服务太差了，要找你们领导",
    "已说明七天无理由退货的条件",
    "按知识库流程逐步指导客户操作",
    "客户对处理方案基本认可",
    "按公司规定暂时不能补偿运费",
    "客户不知道订单号，已用手机号查询",
    "工程师说原因还不清楚",
)
_ACTIONS = (
    "已向客户致歉并安抚情绪",
    "已提交退款工单，预计1-3个工作日到账",
    "已登记补发，客户接受",
    "已报障派单，工程师24小时内上门",
    "已转组长跟进处理",
    "承诺2小时内回电告知核查结果",
    "已发送短信告知处理进度",
    "已远程指导完成设置，问题解决",
    "已改约到客户方便的时间",
    "已记录客户诉求并升级处理",
    "没办法当场解决，已说明原因",
    "已与物流方联系催促派送",
)
_CLOSINGS = (
    "客户表示满意。",
    "客户表示理解，等待回复。",
    "客户仍不满意，需跟进。",
    "约定明天上午回访。",
    "通话结束前确认客户没有其他问题。",
    "客户挂机。",
    "已告知客户服务热线，有问题随时来电。",
)


def call_note(rng: random.Random) -> str:
    """One realistic note, 40–160 characters."""
    parts = [rng.choice(_OPENINGS) + rng.choice(_SUBJECTS) + "。"]
    for _ in range(rng.randint(1, 3)):
        parts.append(rng.choice(_DETAILS) + "，" + rng.choice(_ACTIONS) + "。")
    parts.append(rng.choice(_CLOSINGS))
    return "".join(parts)


def long_note(length: int, seed: int = 500) -> str:
    """An agent's running note of exactly `length` characters, built from several notes."""
    rng = random.Random(seed)
    text = ""
    while len(text) < length:
        text += call_note(rng)
    return text[:length]


# ---- talk tracks -------------------------------------------------------------------------
_PURPOSE_LINES: dict[str, tuple[str, ...]] = {
    "greeting": (
        "您好，这里是{company}客服，我是{agent_name}，很高兴为您服务。",
        "您好，让您久等了，请问有什么可以帮您？",
    ),
    "empathy": (
        "我非常理解您现在的心情，换作是我也会着急。",
        "您的感受我完全明白，遇到这种情况确实让人不舒服。",
    ),
    "apology": ("给您带来不便，真的非常抱歉。", "这件事是我们做得不够好，向您郑重道歉。"),
    "clarify": (
        "为了尽快帮您处理，我想跟您确认几个细节。",
        "麻烦您说一下订单号和下单时间，我马上帮您查。",
    ),
    "confirm": ("我跟您确认一下：您希望的是……，对吗？", "我复述一下您的需求，您看有没有遗漏。"),
    "solution": (
        "针对您的情况，我们可以为您办理退款或者换货，您看哪种更方便？",
        "我这边可以先为您补发，同时安排快递上门取回。",
    ),
    "progress": (
        "您的工单目前已经转到专员处理，预计{promised_time}前给您答复。",
        "我刚查询了一下，退款已经原路退回，一般一到三个工作日到账。",
    ),
    "refuse": (
        "这个要求目前按规定确实无法办理，不过我可以为您申请其他补偿。",
        "很抱歉这项服务暂时不能提供，我帮您看看有没有替代的方案。",
    ),
    "transfer": (
        "这个问题需要专业同事为您处理，我现在帮您转接，请稍等。",
        "我把您的情况完整记录下来转给负责的同事，他会直接联系您。",
    ),
    "closing": (
        "请问还有其他可以帮您的吗？感谢您的来电，祝您生活愉快。",
        "感谢您的耐心，如有问题欢迎随时拨打{hotline}。",
    ),
}
_TOPICS = (
    "快递延误",
    "商品破损",
    "退款进度",
    "会员积分",
    "宽带故障",
    "App闪退",
    "上门安装",
    "发错型号",
    "重复扣费",
    "发票重开",
    "维修改约",
    "物流查询",
    "以旧换新",
    "分期付款",
    "保修政策",
    "话费账单",
    "预约体检",
    "修改地址",
    "电视无信号",
    "投诉升级",
)
_TOPIC_LINES = (
    "关于{topic}的问题，",
    "您反映的{topic}情况，",
    "{topic}这件事，",
    "针对{topic}，",
)


def script_text(rng: random.Random, purpose: str, topic: str) -> str:
    lead = rng.choice(_TOPIC_LINES).format(topic=topic)
    return lead + rng.choice(_PURPOSE_LINES[purpose])


def topics() -> Sequence[str]:
    return _TOPICS


def script_fields(
    count: int, seed: int, slots: Sequence[tuple[str, str]], purposes: Sequence[str]
) -> Iterator[dict[str, str]]:
    """`count` scripts' fields (id, call_type, step, purpose, title, text), spread evenly over
    `slots` of (call type, step)."""
    rng = random.Random(seed)
    for index in range(count):
        call_type, step = slots[index % len(slots)]
        purpose = rng.choice(purposes)
        topic = rng.choice(_TOPICS)
        yield {
            "id": f"bench_{index:05d}",
            "call_type": call_type,
            "step": step,
            "purpose": purpose,
            "title": f"{topic}：{_PURPOSE_TITLES[purpose]}{index % 97}",
            "text": script_text(rng, purpose, topic),
        }


_PURPOSE_TITLES = {
    "greeting": "问候",
    "empathy": "共情",
    "apology": "致歉",
    "clarify": "澄清",
    "confirm": "确认",
    "solution": "方案",
    "progress": "进度",
    "refuse": "婉拒",
    "transfer": "转接",
    "closing": "结束",
}

# What agents type into the script search box, in pinyin-IME order: whole words appear as
# they are committed, but the benchmark types them one character at a time (worst case).
SEARCH_QUERIES = (
    "退款进度",
    "快递延误 道歉",
    "宽带故障",
    "会员积分",
    "上门安装",
    "投诉升级 转接",
    "发票",
    "重复扣费 退款",
    "物流查询",
    "保修政策",
    "App闪退",
    "以旧换新",
    "安抚 情绪",
    "话费账单",
    "修改地址",
)
