"""One place that owns the text analysis for the workspace: jieba loading, intent
suggestions, complaint signals, the phrase checker and script search, for the current pack."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.breather import background
from desktop.core.content.model import ContentPack
from desktop.core.progress import Runner
from desktop.core.text.segmenter import Segmenter
from desktop.services.script_search import ScriptSearch

if TYPE_CHECKING:  # the analysers are imported by the worker that builds them (_Tools)
    from desktop.core.text.intent import IntentSuggester, Suggestion
    from desktop.core.text.phrases import PhraseChecker, PhraseHit
    from desktop.core.text.signals import ComplaintDetector, ComplaintSignal

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Assist:
    """What the workspace shows for one version of the agent's text."""

    suggestions: list[Suggestion] = field(default_factory=list)
    signal: ComplaintSignal = field(default_factory=lambda: _no_signal())
    phrase_hits: list[PhraseHit] = field(default_factory=list)


class TextAssist:
    """State (the suggester, the search index) is only ever swapped on the GUI thread, in
    the runner's on_done: a slow worker for an old pack can never overwrite a newer one."""

    def __init__(self, cache_dir: Path, pack: ContentPack) -> None:
        self.segmenter = Segmenter(cache_dir, extra_words=_pack_words(pack))
        self.search = ScriptSearch(self.segmenter)
        self.search_ready = threading.Event()  # set after each index build is installed
        self.learned_calls = 0
        self.history_learned = threading.Event()
        self._run: Runner | None = None
        self._history: list[tuple[str, str]] | None = None
        self._tools: _Tools | None = None
        # The last analysis and what it was made with: an intent click or a call switch asks
        # again for the same text (a long note costs ~1 ms to analyse).
        self._last: tuple[str, _Tools, IntentSuggester, bool, Assist] | None = None
        self.set_pack(pack)

    def attach(self, run: Runner) -> None:
        """Start using the app's task runner: builds the script index now (and after every
        pack change). jieba itself is loaded by the app's start-up (`segmenter.load`)."""
        if self._run is not None:
            return
        self._run = run
        self._prepare_tools(self.pack)
        self._rebuild_index(self.pack)

    def _prepare_tools(self, pack: ContentPack) -> None:
        assert self._run is not None

        def done(future: Future) -> None:
            try:
                tools = future.result()
            except Exception:
                log.exception("text assist could not be prepared; it is built on first use")
                return
            if self.pack is pack and self._tools is None:
                self._tools = tools

        self._run(lambda: _Tools.for_pack(pack, self.segmenter), done)

    def _current_tools(self) -> _Tools:
        if self._tools is None:  # typed into before the worker was done: build it here
            self._tools = _Tools.for_pack(self.pack, self.segmenter)
        return self._tools

    def learn_from(self, history: Iterable[tuple[str, str]]) -> None:
        """Train a suggester on the agent's own classified calls (notes, call type) off the
        GUI thread, then swap it in here, unless the pack changed meanwhile."""
        assert self._run is not None, "attach() first"
        self._history = list(history)
        self._learn(self.pack)

    def _learn(self, pack: ContentPack) -> None:
        assert self._run is not None and self._history is not None
        history = self._history
        self.history_learned.clear()

        def train() -> tuple[IntentSuggester, int]:
            background.breathe()
            from desktop.core.text.intent import IntentSuggester

            background.breathe()
            suggester = IntentSuggester(pack, self.segmenter)
            background.breathe()
            learned = suggester.train(background.paced(history))
            suggester.prepare(background.breathe)  # not on the GUI thread at its first use
            return suggester, learned

        def done(future: Future) -> None:
            try:
                suggester, learned = future.result()
                if self.pack is pack:  # a pack reload meanwhile made this one stale
                    self._current_tools().suggester = suggester
                    self.learned_calls = learned
            except Exception:
                log.exception("could not learn from the call history")
            finally:
                self.history_learned.set()

        self._run(train, done)

    def set_pack(self, pack: ContentPack) -> None:
        self.pack = pack
        # Built on first use or by a worker (attach): the suggester's bundled model and the
        # matchers' patterns take 50-100 ms, which the first frame does not need.
        self._tools = None
        self._calming: list[str] | None = None
        if self._run is not None:
            self._prepare_tools(pack)
            self._rebuild_index(pack)
            if self._history is not None:
                self._learn(pack)

    @property
    def calming_scripts(self) -> list[str]:
        """The pack's calming scripts, for the complaint path (worked out when first asked)."""
        if self._calming is None:
            from desktop.core.text.signals import calming_script_ids

            self._calming = calming_script_ids(self.pack)
        return self._calming

    def _rebuild_index(self, pack: ContentPack) -> None:
        assert self._run is not None
        self.search_ready.clear()

        def done(future: Future) -> None:
            try:
                index = future.result()
            except Exception:
                log.exception("script search index could not be built")
                index = None
            if self.pack is pack:  # only the newest pack's index is installed
                if index is not None:
                    self.search.install(index)
                self.search_ready.set()

        self._run(lambda: self.search.build(pack.scripts), done)

    def analyse(self, text: str) -> Assist:
        if not text.strip():
            return Assist()
        tools = self._current_tools()
        ready = self.segmenter.ready  # jieba cuts differently from the fallback
        last = self._last
        if (
            last is not None
            and last[0] == text
            and last[1] is tools
            and last[2] is tools.suggester
            and last[3] == ready
        ):
            return last[4]
        from desktop.core.text.matching import Analysis  # loaded with the tools by then

        analysis = Analysis.of(text, self.segmenter)  # normalised and cut once for both
        result = Assist(
            tools.suggester.suggest_for(analysis, top=2),
            tools.detector.detect_in(analysis),
            tools.checker.check(text),
        )
        self._last = (text, tools, tools.suggester, ready, result)
        return result

    def check_phrases(self, text: str) -> list[PhraseHit]:
        return self._current_tools().checker.check(text)


@dataclass(slots=True)
class _Tools:
    """The analysers for one pack (the suggester is replaced once history is learned)."""

    suggester: IntentSuggester
    detector: ComplaintDetector
    checker: PhraseChecker

    @classmethod
    def for_pack(cls, pack: ContentPack, segmenter: Segmenter) -> _Tools:
        from desktop.core.text.intent import IntentSuggester
        from desktop.core.text.phrases import PhraseChecker
        from desktop.core.text.signals import ComplaintDetector

        suggester = IntentSuggester(pack, segmenter)
        suggester.prepare()  # its tables now (a worker builds the tools), not at a keystroke
        return cls(
            suggester,
            ComplaintDetector(pack, segmenter),
            PhraseChecker(pack.phrases),
        )


def _no_signal() -> ComplaintSignal:
    from desktop.core.text.signals import ComplaintSignal

    return ComplaintSignal(False, False, [])


def _pack_words(pack: ContentPack) -> list[str]:
    """Pack words the fallback segmentation should know before jieba is ready."""
    return [
        *(k.word for k in pack.intent_keywords),
        *pack.complaint_signals,
        *pack.escalation_phrases,
    ]
