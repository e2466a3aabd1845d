"""The eight call types of the domain notes (key → 中文 label), as the tests expect them."""

from __future__ import annotations

CALL_TYPE_LABELS: dict[str, str] = {
    "inquiry": "咨询",
    "complaint": "投诉",
    "help": "求助",
    "order": "订购",
    "booking": "预订",
    "status": "查询",
    "fault": "报障",
    "unrelated": "与服务无关",
}
