from __future__ import annotations

import logging
import time
from pathlib import Path

import jieba
import pytest

from desktop.core.text import segmenter as segmenter_module
from desktop.core.text.segmenter import (
    CACHE_FILE_NAME,
    Segmenter,
    ShardedFreq,
    default_userdict_path,
    load_sliced_cache,
    read_userdict_words,
    write_sliced_cache,
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
    assert fast.loaded_from_cache  # the sliced cache the fixture's load wrote
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


def test_the_copied_patterns_are_jiebas() -> None:
    """The segmenter works before jieba is imported with copies of jieba's two patterns."""
    assert segmenter_module._RUN.pattern == jieba.re_han_default.pattern
    assert segmenter_module._USERDICT_LINE.pattern == jieba.re_userdict.pattern


def test_sharded_freq_behaves_as_jieba_uses_its_dict() -> None:
    freq = ShardedFreq.from_dict({"物流": 5, "物": 0, "a": 1})
    assert "物流" in freq and "物" in freq and "物价" not in freq and "" not in freq
    assert freq["物流"] == 5 and freq.get("物") == 0 and freq.get("x") is None
    assert freq.get("x", 1) == 1
    with pytest.raises(KeyError):
        freq["物价"]
    freq["物价"] = 3
    assert freq["物价"] == 3 and len(freq) == 4


def test_sliced_cache_round_trips_and_refuses_a_stale_or_broken_file(tmp_path: Path) -> None:
    words = {f"词{i}": i for i in range(20_000)} | {"甲": 1, "乙乙": 2}
    freq = ShardedFreq.from_dict(words)
    path = tmp_path / CACHE_FILE_NAME
    write_sliced_cache(path, ["k", 1], freq, 12345)
    loaded = load_sliced_cache(path, ["k", 1])
    assert loaded is not None
    assert loaded[1] == 12345
    assert loaded[0].shards == freq.shards
    assert load_sliced_cache(path, ["k", 2]) is None  # another jieba dictionary or format
    path.write_bytes(path.read_bytes()[:-10])  # a truncated file
    assert load_sliced_cache(path, ["k", 1]) is None
    assert load_sliced_cache(tmp_path / "missing", ["k", 1]) is None


def test_a_stale_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache written for another jieba dictionary is not used: the load rebuilds it."""
    seg = Segmenter(tmp_path)
    seg.load()
    assert seg.ready and not seg.loaded_from_cache
    monkeypatch.setattr(segmenter_module, "CACHE_FORMAT", segmenter_module.CACHE_FORMAT + 1)
    again = Segmenter(tmp_path)
    again.load()
    assert again.ready and not again.loaded_from_cache
    third = Segmenter(tmp_path)
    third.load()
    assert third.loaded_from_cache
    assert third.cut("我要退换货") == ["我要", "退换货"]


def test_build_freq_is_jiebas_gen_pfdict_breathing_as_it_goes() -> None:
    """The first start after an install builds the dictionary itself (jieba's gen_pfdict is
    one long step that never steps aside for the agent): the same words, prefixes, total."""

    from desktop.core.text.segmenter import build_freq

    dict_file = Path(jieba.__file__).parent / "dict.txt"
    with open(dict_file, "rb") as source:
        expected = jieba.Tokenizer.gen_pfdict(source)
    breaths: list[int] = []
    with open(dict_file, "rb") as source:
        got = build_freq(source, lambda: breaths.append(1))
    assert got == expected
    assert len(breaths) >= 50  # every few thousand of its ~350,000 lines
    with pytest.raises(ValueError, match="line 2"):
        build_freq([b"\xe7\x89\xa9\xe6\xb5\x81 5 n\n", b"broken\n"], lambda: None)


def test_the_fallback_cut_piece_by_piece_is_the_whole_texts_cut(tmp_path: Path) -> None:
    """Before jieba is loaded: cutting between characters no domain word holds (and caching
    the pieces) gives exactly the tokens of cutting the whole text at once, even where a
    domain word holds one of those characters."""
    from bench.corpus import long_note

    texts = [*SENTENCES, *(t for t, _ in load_eval_samples()[:200]), long_note(3000)]
    texts += ["售后，服务电话：400-800。谢谢！", "（退款）【加急】\n\n  A1 b2…"]
    for extra in ((), ("售后，服务", "A1 b2")):
        segmenter = Segmenter(tmp_path / "never-loaded", extra_words=extra)
        for text in texts:
            assert segmenter._fallback_cut(text) == list(segmenter._fallback_cut_run(text))
            assert "".join(segmenter._fallback_cut(text)) == text
    breaks = segmenter._fallback_breaks
    assert breaks is not None and not breaks.search(" ") and breaks.search("。")  # "A1 b2"
