from __future__ import annotations

import logging
import time
from pathlib import Path

import jieba
import pytest

from desktop.core.text.segmenter import (
    CACHE_FILE_NAME,
    Segmenter,
    default_userdict_path,
    read_userdict_words,
)
from tests.eval.samples import load_eval_samples

SENTENCES = (
    "我要退换货，物流太慢了",
    "还在保修期内，能不能上门维修",
    "宽带欠费停机了，我已经缴费了怎么还没复机",
    "你们的人工客服在哪，我要给差评",
    "他没收到货，工单号是多少",
    "ＡＢＣ123 wifi密码忘了\r\n怎么办？",
)


def test_userdict_has_enough_domain_words() -> None:
    words = read_userdict_words(default_userdict_path())
    assert len(words) >= 150
    assert len(set(words)) == len(words)
    assert {"物流", "退换货", "保修期", "工单", "回访", "欠费", "宽带"} <= set(words)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("我要退换货", "退换货"),
        ("物流信息一直不更新", "物流信息"),
        ("查一下物流", "物流"),
        ("还在保修期内吗", "保修期"),
        ("我的快递还没收到", "没收到"),
        ("这个工单号是多少", "工单号"),
        ("电脑开不了机", "开不了机"),
    ],
)
def test_domain_words_come_out_whole(segmenter: Segmenter, text: str, word: str) -> None:
    assert word in segmenter.cut(text)


def test_tokens_join_back_to_the_text(segmenter: Segmenter) -> None:
    for text in SENTENCES:
        assert "".join(segmenter.cut(text)) == text
    assert segmenter.cut("") == []


def test_cache_file_lands_in_the_given_dir(segmenter: Segmenter, jieba_cache_dir: Path) -> None:
    assert segmenter.cache_file == jieba_cache_dir / CACHE_FILE_NAME
    assert segmenter.cache_file.is_file()


def test_cuts_exactly_like_jieba_also_on_the_fast_cache_path(
    segmenter: Segmenter, jieba_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the fast cache load nor cutting run by run may change jieba's output."""
    reference = jieba.Tokenizer()
    reference.tmp_dir = str(jieba_cache_dir)
    with default_userdict_path().open("rb") as userdict:
        reference.load_userdict(userdict)  # jieba's normal initialize, then the userdict

    def no_initialize(self: jieba.Tokenizer, dictionary: str | None = None) -> None:
        raise AssertionError("the fast path must not call jieba's initialize")

    fast = Segmenter(jieba_cache_dir)
    monkeypatch.setattr(jieba.Tokenizer, "initialize", no_initialize)
    fast.load()
    monkeypatch.undo()
    assert fast.ready
    texts = [*SENTENCES, *(text for text, _ in load_eval_samples())]
    texts.append("。".join(texts))
    for text in texts:
        expected = reference.lcut(text)
        assert fast.cut(text) == expected
        assert segmenter.cut(text) == expected


def test_fallback_answers_at_once_before_jieba_is_ready(tmp_path: Path) -> None:
    """Loading into an empty dir builds the cache (slow); cut() meanwhile must not wait."""
    (tmp_path / CACHE_FILE_NAME).write_bytes(b"not a marshal file")  # and survive a bad cache
    seg = Segmenter(tmp_path, extra_words=["找你们领导"])
    assert not seg.wait(0)
    seg.start_background()
    started = time.perf_counter()
    tokens = seg.cut("我要退换货，找你们领导，物流太慢")
    assert time.perf_counter() - started < 0.05
    assert not seg.ready
    assert "".join(tokens) == "我要退换货，找你们领导，物流太慢"
    assert {"退换货", "找你们领导", "物流"} <= set(tokens)
    seg.start_background()  # a second call starts nothing new
    assert seg.wait(30)
    assert seg.cut("我要退换货") == ["我要", "退换货"]
    assert (tmp_path / CACHE_FILE_NAME).stat().st_size > 1_000_000


@pytest.mark.expect_log(logging.ERROR, "jieba failed to load")
def test_a_failed_load_keeps_the_fallback(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("物流 100 n\n", encoding="utf-8")
    seg = Segmenter(tmp_path / "cache", userdict)
    userdict.unlink()  # jieba cannot read it now
    seg.load()
    assert not seg.ready
    assert seg.wait(0) is False
    assert seg.cut("查物流") == ["查", "物流"]
    assert "jieba failed to load" in caplog.text
