from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.core.content.model import Script
from desktop.core.text.segmenter import Segmenter
from desktop.services import script_search
from desktop.services.script_search import ScriptSearch


def script(
    id_: str, text: str, call_type: str = "any", step: str = "", title: str = "话术"
) -> Script:
    return Script(id_, call_type, step, "solution", title, text)


SCRIPTS = (
    script("track", "您的包裹已发出，物流信息显示明天送达", "status", "report", "物流进度"),
    script("sorry", "非常抱歉物流延误给您带来不便", "complaint", "calm", "道歉"),
    script("delay", "物流公司那边我帮您催一下", "any"),
    script("refund", "退款会在三个工作日内原路退回", "status", "report", "退款进度"),
    script("wifi", "请把WiFi路由器重启一下，{customer_name}", "fault", "basic_check", "重启"),
    script("bye", "感谢您的来电，祝您生活愉快", "any", "close", "结束语"),
)


@pytest.fixture(scope="module")
def search(segmenter: Segmenter) -> ScriptSearch:
    s = ScriptSearch(segmenter)
    s.rebuild(SCRIPTS)
    return s


def test_finds_two_character_words(search: ScriptSearch) -> None:
    assert set(search.search("物流")) == {"track", "sorry", "delay"}
    assert search.search("退款") == ["refund"]


def test_finds_partial_and_differently_cut_words(search: ScriptSearch) -> None:
    assert set(search.search("物")) == {"track", "sorry", "delay"}
    assert search.search("流信") == ["track"]  # the middle of 物流信息
    assert search.search("工作日") == ["refund"]
    assert search.search("wifi") == search.search("ＷｉＦｉ") == ["wifi"]
    assert search.search("wi") == ["wifi"]


def test_every_query_word_must_match_else_any(search: ScriptSearch) -> None:
    assert search.search("物流 抱歉") == ["sorry"]
    assert set(search.search("抱歉 退款")) == {"sorry", "refund"}


def test_traditional_query(search: ScriptSearch) -> None:
    assert search.search("退款進度") == ["refund"]
    assert "sorry" in search.search("帶來不便")


def test_type_and_step_fit_rank_first(search: ScriptSearch) -> None:
    assert search.search("物流", call_type="complaint", step="calm") == ["sorry", "delay", "track"]
    assert search.search("物流", call_type="status", step="report")[0] == "track"
    assert search.search("物流", call_type="status")[:2] == ["track", "delay"]


def test_title_hits_rank_above_text_hits(search: ScriptSearch) -> None:
    assert search.search("物流")[0] == "track"  # 物流 in its title


def test_past_use_breaks_near_ties(search: ScriptSearch) -> None:
    plain = search.search("物流")
    assert search.search("物流", usage={"delay": 50, "ghost": 9})[0] == "delay" != plain[0]
    assert search.search("物流", usage={"track": -5}) == plain


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"物流',
        "物流*",
        "*",
        "NEAR(物流 抱歉)",
        "物流 AND",
        "OR 物流",
        "NOT",
        "-物流",
        "(物流",
        "head_bi:物流",
        "{uni}: 物",
        "^物流",
        "物流 + 退款",
        "'; DROP TABLE scripts; --",
        "\x00物流\x00",
        "😀物流",
    ],
)
def test_fts_syntax_in_queries_never_raises(search: ScriptSearch, query: str) -> None:
    results = search.search(query)
    assert set(results) <= {s.id for s in SCRIPTS}


def test_nothing_to_search(search: ScriptSearch) -> None:
    for query in ("", "   ", "，。！", "*", "没有这个词"):
        assert search.search(query) == []
    assert search.search("物流", limit=0) == []


def test_limit(search: ScriptSearch) -> None:
    assert len(search.search("物流", limit=2)) == 2


def test_very_broad_queries_rank_by_fit_use_and_pack_order(
    segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(script_search, "_SCORED_MATCHES", 3)
    s = ScriptSearch(segmenter)
    s.rebuild(
        [
            script("a", "您好", "status"),
            script("b", "您好", "complaint"),
            script("c", "您好", "any", "calm"),
            script("d", "您好", "complaint", "calm"),
            script("e", "您好", "fault"),
            script("f", "您好", "fault"),
        ]
    )
    assert s.search("您", call_type="complaint", step="calm") == ["d", "b", "c", "a", "e", "f"]
    assert s.search("您", usage={"f": 3, "e": 1}) == ["f", "e", "a", "b", "c", "d"]
    assert s.search("您", limit=2) == ["a", "b"]


def test_a_broad_query_is_matched_once_per_index(
    segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first keystroke of a search matches the most rows: when the same character
    starts the next search its matches are not read again, until the index is rebuilt."""
    monkeypatch.setattr(script_search, "_SCORED_MATCHES", 3)
    s = ScriptSearch(segmenter)
    s.rebuild(
        [script(k, "您好", t) for k, t in zip("abcde", ["status", "fault"] * 3, strict=False)]
    )
    statements: list[str] = []
    s._index.db.set_trace_callback(statements.append)
    assert s.search("您", call_type="fault")[:2] == ["b", "d"]
    assert s.search("您", call_type="status")[:3] == ["a", "c", "e"]
    assert s.search("您好")  # a narrower query still asks the index
    assert len([q for q in statements if q.startswith("SELECT rowid FROM")]) == 2
    s.rebuild([script("z", "您好", "fault"), *(script(k, "您们") for k in "xyw")])
    assert s.search("您", call_type="fault") == ["z", "x", "y", "w"]


def test_rebuild_swaps_the_index_while_searches_go_on(segmenter: Segmenter) -> None:
    s = ScriptSearch(segmenter)
    assert s.search("物流") == []
    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            for _ in range(5):
                s.rebuild(SCRIPTS)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    worker = threading.Thread(target=rebuild)
    worker.start()
    while worker.is_alive():
        assert set(s.search("物流")) <= {"track", "sorry", "delay"}
    worker.join()
    assert not errors
    assert len(s.search("物流")) == 3


def test_bundled_scripts(segmenter: Segmenter) -> None:
    pack = load_pack(bundled_pack_dir())
    s = ScriptSearch(segmenter)
    s.rebuild(pack.scripts)
    assert s.search("物流")
    results = s.search("道歉", call_type="complaint")
    assert results
    assert pack.script(results[0]).call_type == "complaint"


def test_works_with_the_fallback_segmenter(tmp_path: Path) -> None:
    s = ScriptSearch(Segmenter(tmp_path))  # jieba never loaded
    s.rebuild(SCRIPTS)
    assert set(s.search("物流")) == {"track", "sorry", "delay"}
    assert s.search("退款進度") == ["refund"]


@settings(max_examples=60, deadline=None)
@given(query=st.text(max_size=60), call_type=st.sampled_from([None, "status", "x"]))
def test_any_query_is_safe(search: ScriptSearch, query: str, call_type: str | None) -> None:
    results = search.search(query, call_type=call_type, step="calm", usage={"bye": 2})
    assert len(results) == len(set(results)) <= 20
    assert set(results) <= {s.id for s in SCRIPTS}
