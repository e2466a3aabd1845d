"""One place that owns the text analysis for the workspace: jieba loading, intent
suggestions, complaint signals, the phrase checker and script search, for the current pack."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.content.model import ContentPack
from desktop.core.text.intent import IntentSuggester, Suggestion
from desktop.core.text.phrases import PhraseChecker, PhraseHit
from desktop.core.text.segmenter import Segmenter
from desktop.core.text.signals import ComplaintDetector, ComplaintSignal, calming_script_ids
from desktop.services.script_search import ScriptSearch

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Assist:
    """What the workspace shows for one version of the agent's text."""

    suggestions: list[Suggestion] = field(default_factory=list)
    signal: ComplaintSignal = field(default_factory=lambda: ComplaintSignal(False, False, []))
    phrase_hits: list[PhraseHit] = field(default_factory=list)


class TextAssist:
    def __init__(self, cache_dir: Path, pack: ContentPack) -> None:
        self.segmenter = Segmenter(cache_dir, extra_words=_pack_words(pack))
        self.search = ScriptSearch(self.segmenter)
        self._rebuild_lock = threading.Lock()
        self.search_ready = threading.Event()  # set after each index build
        self._started = False
        self.learned_calls = 0
        self.history_learned = threading.Event()
        self.set_pack(pack)

    def start(self, history: Callable[[], Iterable[tuple[str, str]]] | None = None) -> None:
        """Load jieba and build the script index in the background; usable meanwhile.
        Called once the window is up, so start-up waits for neither. `history` gives the
        agent's own classified calls (notes, call type): the suggester learns their wording."""
        if self._started:
            return
        self._started = True
        self.segmenter.start_background()
        self._rebuild_in_background(self.pack)
        if history is not None:
            threading.Thread(
                target=self._learn, args=(self.pack, history), name="intent-learn", daemon=True
            ).start()

    def _learn(self, pack: ContentPack, history: Callable[[], Iterable[tuple[str, str]]]) -> None:
        """Train a fresh suggester off the GUI thread, then swap it in (one assignment).
        `history_learned` is set either way: a failure is logged, the pack-only one stays."""
        try:
            self.segmenter.wait()
            suggester = IntentSuggester(pack, self.segmenter)
            learned = suggester.train(history())
            if self.pack is pack:  # a pack reload meanwhile made this one stale
                self._suggester = suggester
                self.learned_calls = learned
        except Exception:
            log.exception("could not learn from the call history")
        finally:
            self.history_learned.set()

    def set_pack(self, pack: ContentPack) -> None:
        self.pack = pack
        self._suggester = IntentSuggester(pack, self.segmenter)
        self._detector = ComplaintDetector(pack, self.segmenter)
        self._checker = PhraseChecker(pack.phrases)
        self.calming_scripts = calming_script_ids(pack)
        if self._started:
            self._rebuild_in_background(pack)

    def _rebuild_in_background(self, pack: ContentPack) -> None:
        self.search_ready.clear()
        thread = threading.Thread(
            target=self._rebuild, args=(pack,), name="script-index", daemon=True
        )
        thread.start()

    def _rebuild(self, pack: ContentPack) -> None:
        with self._rebuild_lock:
            try:
                self.search.rebuild(pack.scripts)
            except Exception:
                log.exception("script search index could not be built")
            self.search_ready.set()

    def analyse(self, text: str) -> Assist:
        if not text.strip():
            return Assist()
        return Assist(
            self._suggester.suggest(text, top=2),
            self._detector.detect(text),
            self._checker.check(text),
        )

    def check_phrases(self, text: str) -> list[PhraseHit]:
        return self._checker.check(text)


def _pack_words(pack: ContentPack) -> list[str]:
    """Pack words the fallback segmentation should know before jieba is ready."""
    return [
        *(k.word for k in pack.intent_keywords),
        *pack.complaint_signals,
        *pack.escalation_phrases,
    ]
