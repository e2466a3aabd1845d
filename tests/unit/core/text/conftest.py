"""jieba loads once per session (about a second); tests share it read-only."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.core.content.model import (
    CallType,
    ContentPack,
    IntentKeyword,
    PhraseRule,
    Script,
)
from tests.helpers.call_types import CALL_TYPE_LABELS


@pytest.fixture(scope="session")
def bundled_pack() -> ContentPack:
    return load_pack(bundled_pack_dir())


def _make_pack(
    keywords: dict[str, dict[str, float]] | None = None,
    signals: tuple[str, ...] = (),
    escalation: tuple[str, ...] = (),
    phrases: tuple[PhraseRule, ...] = (),
    scripts: tuple[Script, ...] = (),
) -> ContentPack:
    call_types = tuple(
        CallType(key, label, f"F{i}", "#333333", label)
        for i, (key, label) in enumerate(CALL_TYPE_LABELS.items(), 1)
    )
    return ContentPack(
        locale="zh_CN",
        version="test",
        call_types=call_types,
        checklists={},
        scripts=scripts,
        reminder_rules=(),
        phrases=phrases,
        intent_keywords=tuple(
            IntentKeyword(word, call_type, weight)
            for call_type, words in (keywords or {}).items()
            for word, weight in words.items()
        ),
        complaint_signals=signals,
        escalation_phrases=escalation,
    )


@pytest.fixture
def make_pack() -> Callable[..., ContentPack]:
    """Build a small pack in code, so each test shows the data it depends on."""
    return _make_pack
