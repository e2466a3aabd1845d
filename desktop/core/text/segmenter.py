"""The one owner of jieba: loads its dictionary off the GUI thread and segments text.

jieba's dictionary takes most of a second to load, so `Segmenter` loads it on a daemon
thread and, until it is ready, answers with a cheap greedy segmentation over the domain
words instead of blocking the caller. jieba's cache file goes to the app's own cache dir.
"""

from __future__ import annotations

import logging
import marshal
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba

from desktop.core.text.normalize import is_cjk, normalize
from desktop.paths import resources_dir

jieba.setLogLevel(logging.WARNING)  # it logs every load at DEBUG to stderr otherwise

log = logging.getLogger(__name__)

# The name jieba gives the cache of its default dictionary; we read it ourselves (fast path).
CACHE_FILE_NAME = "jieba.cache"
# jieba cuts each run of Chinese/alphanumerics on its own, so cutting run by run gives the same
# words; caching runs means a keystroke in a long note re-cuts only the run it changed.
_RUN = jieba.re_han_default
_RUN_CACHE_SIZE = 4096


def default_userdict_path() -> Path:
    return resources_dir() / "jieba" / "userdict.txt"


def read_userdict_words(path: Path) -> list[str]:
    """The words of a jieba user dictionary (`word [freq] [pos]` per line)."""
    words = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        match = jieba.re_userdict.match(line.strip())
        if match:
            words.append(match.group(1))
    return words


def load_frequency_cache(path: Path) -> tuple[dict[str, int], int] | None:
    """jieba's (FREQ, total) from its cache file, or None when missing or unreadable.

    jieba itself reads the file with `marshal.load(fileobj)`, which is about 3-4x slower
    than one read plus `marshal.loads` (0.7 s vs 0.19 s for the 9 MB default cache).
    """
    try:
        freq, total = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(freq, dict) or not isinstance(total, int):
        return None
    return freq, total


class Segmenter:
    """Chinese word segmentation that never blocks the caller while jieba loads."""

    def __init__(
        self,
        cache_dir: Path,
        userdict: Path | None = None,
        extra_words: Iterable[str] = (),
    ) -> None:
        self._cache_dir = Path(cache_dir)
        self._userdict = userdict or default_userdict_path()
        vocabulary = {normalize(w) for w in read_userdict_words(self._userdict)}
        vocabulary.update(normalize(w) for w in extra_words)
        self._vocabulary = frozenset(w for w in vocabulary if len(w) > 1)
        self._max_word = max((len(w) for w in self._vocabulary), default=1)
        self._tokenizer: jieba.Tokenizer | None = None
        self._ready = threading.Event()
        self._done = threading.Event()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._cut_run = lru_cache(maxsize=_RUN_CACHE_SIZE)(self._jieba_cut_run)

    @property
    def cache_file(self) -> Path:
        return self._cache_dir / CACHE_FILE_NAME

    @property
    def ready(self) -> bool:
        """True once jieba is loaded; before that `cut` uses the fallback."""
        return self._ready.is_set()

    def start_background(self) -> None:
        """Start loading jieba on a daemon thread (once; later calls do nothing)."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self.load, name="jieba-load", daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background load to finish; True if jieba is ready."""
        self._done.wait(timeout)
        return self.ready

    def load(self) -> None:
        """Load jieba in the calling thread; a failure is logged and leaves the fallback."""
        try:
            tokenizer = jieba.Tokenizer()
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(self._cache_dir)
            tokenizer.cache_file = CACHE_FILE_NAME
            cached = load_frequency_cache(self.cache_file)
            if cached is None:
                tokenizer.initialize()  # builds the prefix dict and writes the cache file
            else:
                tokenizer.FREQ, tokenizer.total = cached
                tokenizer.initialized = True
            with self._userdict.open("rb") as userdict:  # jieba leaves a path's file open
                tokenizer.load_userdict(userdict)
            self._tokenizer = tokenizer
            self._ready.set()
        except Exception:
            log.exception("jieba failed to load; using the fallback segmentation")
        finally:
            self._done.set()

    def cut(self, text: str) -> list[str]:
        """Words of `text` (all characters kept, so the tokens join back to `text`)."""
        if not text:
            return []
        if self._tokenizer is None:
            return self._fallback_cut(text)
        tokens: list[str] = []
        for run in _RUN.split(text):
            if run:
                tokens.extend(self._cut_run(run))
        return tokens

    def _jieba_cut_run(self, run: str) -> tuple[str, ...]:
        assert self._tokenizer is not None
        return tuple(self._tokenizer.cut(run))

    def _fallback_cut(self, text: str) -> list[str]:
        """Greedy longest match over the domain words; other Chinese as single characters."""
        tokens: list[str] = []
        vocabulary, longest, n = self._vocabulary, self._max_word, len(text)
        i = 0
        while i < n:
            char = text[i]
            end = i + 1
            if is_cjk(char):
                for length in range(min(longest, n - i), 1, -1):
                    if text[i : i + length] in vocabulary:
                        end = i + length
                        break
            elif char.isascii() and char.isalnum():
                while end < n and text[end].isascii() and text[end].isalnum():
                    end += 1
            tokens.append(text[i:end])
            i = end
        return tokens
