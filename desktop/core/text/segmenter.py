"""The one owner of jieba: loads its dictionary off the GUI thread and segments text.

jieba's dictionary takes most of a second to load, so `Segmenter` loads it on a daemon
thread and, until it is ready, answers with a cheap greedy segmentation over the domain
words instead of blocking the caller. jieba itself is imported on that thread, not at start.

jieba's own cache is one marshal blob of a 500,000-entry dict: reading it is one C call that
holds Python's global lock for 0.2-1 s, and the window cannot paint meanwhile. So the
dictionary is kept here as `ShardedFreq` (one small dict per first character) in a cache file
of independent slices (`jieba.slices` in the app's cache dir): each slice is read in a few
milliseconds, and the loading thread yields the lock between slices.
"""

from __future__ import annotations

import logging
import marshal
import os
import re
import struct
import tempfile
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.breather import background
from desktop.core.text.normalize import is_cjk, normalize
from desktop.paths import resources_dir

if TYPE_CHECKING:
    import jieba

log = logging.getLogger(__name__)

CACHE_FILE_NAME = "jieba.slices"
# Bump when the slice format or ShardedFreq changes; the dictionary's own identity is
# checked too (see _dictionary_key).
CACHE_FORMAT = 3
_MAGIC = b"CASLICES"
WORDS_PER_SLICE = 1500  # ~0.3 ms of marshal.loads each, 2 ms the largest (one C call)
# jieba cuts each run of Chinese/alphanumerics on its own, so cutting run by run gives the same
# words; caching runs means a keystroke in a long note re-cuts only the run it changed.
# Copies of jieba.re_han_default and jieba.re_userdict (a test checks they still match), so
# that the segmenter is usable before jieba is imported.
_RUN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_USERDICT_LINE = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)
_RUN_CACHE_SIZE = 4096
# Where the fallback cut may cut a text into pieces (unless a domain word holds one of them).
_FALLBACK_BREAKS = "，。！？；：、,.!?;:()（）【】[]“”\"'‘’…—~～ \t\r\n"
_BUILD_STEP = 4000  # dictionary lines (or words) between two breaths when building the cache


def default_userdict_path() -> Path:
    return resources_dir() / "jieba" / "userdict.txt"


def read_userdict_words(path: Path) -> list[str]:
    """The words of a jieba user dictionary (`word [freq] [pos]` per line)."""
    words = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        match = _USERDICT_LINE.match(line.strip())
        if match:
            words.append(match.group(1))
    return words


class ShardedFreq:
    """jieba's FREQ (word or word prefix → frequency) as one dict per first character.

    jieba only reads it with `in`, `[]`, `.get` and writes it with `[]=`; every prefix of a
    word shares the word's first character, so each lookup touches one small dict. Small
    dicts load in slices without ever resizing one huge table under the global lock."""

    __slots__ = ("shards",)

    def __init__(self, shards: dict[str, dict[str, int]] | None = None) -> None:
        self.shards = shards if shards is not None else {}

    def __contains__(self, word: object) -> bool:
        shard = self.shards.get(word[:1]) if isinstance(word, str) else None
        return shard is not None and word in shard

    def __getitem__(self, word: str) -> int:
        return self.shards[word[:1]][word]

    def get(self, word: str, default: int | None = None) -> int | None:
        shard = self.shards.get(word[:1])
        return default if shard is None else shard.get(word, default)

    def __setitem__(self, word: str, freq: int) -> None:
        shard = self.shards.get(word[:1])
        if shard is None:
            self.shards[word[:1]] = shard = {}
        shard[word] = freq

    def __len__(self) -> int:
        return sum(map(len, self.shards.values()))

    @classmethod
    def from_dict(
        cls, freq: dict[str, int], breathe: Callable[[], None] | None = None
    ) -> ShardedFreq:
        out = cls()
        for index, (word, value) in enumerate(freq.items()):
            if breathe is not None and index % _BUILD_STEP == 0:
                breathe()
            out[word] = value
        return out


def build_freq(
    source: Iterable[bytes], breathe: Callable[[], None] = background.breathe
) -> tuple[dict[str, int], int]:
    """jieba's `Tokenizer.gen_pfdict` (the same words, prefixes and total: a test compares
    them), breathing every few thousand lines: the first start after an install builds the
    dictionary from jieba's dict.txt (about a second of Python) while the window is up."""
    freq: dict[str, int] = {}
    total = 0
    for lineno, raw in enumerate(source, 1):
        if lineno % _BUILD_STEP == 0:
            breathe()
        line = raw.strip().decode("utf-8")
        try:
            word, count = line.split(" ")[:2]
            value = int(count)
        except ValueError:
            raise ValueError(f"invalid dictionary entry at line {lineno}: {line}") from None
        freq[word] = value
        total += value
        for end in range(1, len(word) + 1):
            fragment = word[:end]
            if fragment not in freq:
                freq[fragment] = 0
    return freq, total


def _dictionary_key(dict_file: Path) -> list:
    """What the cache must match: our format, jieba's version and its dictionary file."""
    import jieba

    stat = dict_file.stat()
    return [CACHE_FORMAT, jieba.__version__, str(dict_file), stat.st_size, stat.st_mtime_ns]


def write_sliced_cache(
    path: Path,
    key: list,
    freq: ShardedFreq,
    total: int,
    breathe: Callable[[], None] = background.breathe,
) -> None:
    """Write the slices atomically (a crash leaves the old file or none, never half)."""
    slices: list[bytes] = []
    group: dict[str, dict[str, int]] = {}
    words = 0
    for first, shard in freq.shards.items():
        if not group:
            breathe()
        group[first] = shard
        words += len(shard)
        if words >= WORDS_PER_SLICE:
            slices.append(marshal.dumps(group))
            group, words = {}, 0
    if group:
        slices.append(marshal.dumps(group))
    header = marshal.dumps((key, total, [len(s) for s in slices]))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jieba-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_MAGIC + struct.pack("<Q", len(header)) + header)
            for blob in slices:
                out.write(blob)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_sliced_cache(
    path: Path, key: list, breathe: Callable[[], None] = background.breathe
) -> tuple[ShardedFreq, int] | None:
    """(FREQ, total) from the sliced cache, or None when it is missing, stale or unreadable.
    `breathe()` runs between slices (it yields the global lock, and waits while the agent
    is acting: desktop.core.breather)."""
    try:
        data = memoryview(path.read_bytes())
        if bytes(data[: len(_MAGIC)]) != _MAGIC:
            return None
        offset = len(_MAGIC) + 8
        (header_len,) = struct.unpack("<Q", data[len(_MAGIC) : offset])
        stored_key, total, lengths = marshal.loads(data[offset : offset + header_len])
        if stored_key != key or not isinstance(total, int):
            return None
        offset += header_len
        shards: dict[str, dict[str, int]] = {}
        for length in lengths:
            breathe()
            part = marshal.loads(data[offset : offset + length])
            offset += length
            shards.update(part)
        if offset != len(data):
            return None
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        return None
    return ShardedFreq(shards), total


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
        # The fallback's vocabulary: the words are read now, normalised (a few thousand
        # words) on the fallback's first use, not while the app builds its first frame.
        self._words = [*read_userdict_words(self._userdict), *extra_words]
        self._fallback_words: tuple[frozenset[str], int] | None = None
        self._fallback_breaks: re.Pattern[str] | None = None
        self._fallback_run = lru_cache(maxsize=_RUN_CACHE_SIZE)(self._fallback_cut_run)
        self._tokenizer: jieba.Tokenizer | None = None
        self.loaded_from_cache = False
        self._ready = threading.Event()
        self._done = threading.Event()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._cut_run = lru_cache(maxsize=_RUN_CACHE_SIZE)(self._jieba_cut_run)

    def _fallback_vocabulary(self) -> tuple[frozenset[str], int]:
        """The user dictionary's and the pack's words (normalised, longer than one
        character) and the longest one's length."""
        if self._fallback_words is None:
            words = {normalize(w) for w in self._words}
            vocabulary = frozenset(w for w in words if len(w) > 1)
            self._fallback_words = vocabulary, max((len(w) for w in vocabulary), default=1)
            in_words = set().union(*vocabulary) if vocabulary else set()
            breaks = "".join(c for c in _FALLBACK_BREAKS if c not in in_words)
            self._fallback_breaks = re.compile(f"([{re.escape(breaks)}])") if breaks else None
        return self._fallback_words

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
            self._tokenizer = self._load_tokenizer()
            self._ready.set()
        except Exception:
            log.exception("jieba failed to load; using the fallback segmentation")
        finally:
            self._done.set()

    def _load_tokenizer(self) -> jieba.Tokenizer:
        # jieba's import (~15 ms, most of it one module: its HMM tables) cannot be cut
        # smaller: it waits for the agent to pause.
        background.before_heavy()
        import jieba

        background.breathe()
        jieba.setLogLevel(logging.WARNING)  # it logs every load at DEBUG to stderr otherwise
        tokenizer = jieba.Tokenizer()
        dict_file = Path(jieba.__file__).parent / "dict.txt"  # jieba's default dictionary
        key = _dictionary_key(dict_file)
        cached = load_sliced_cache(self.cache_file, key)
        if cached is None:
            with open(dict_file, "rb") as source:
                freq, total = build_freq(source)
            sharded = ShardedFreq.from_dict(freq, background.breathe)
            del freq
            try:
                write_sliced_cache(self.cache_file, key, sharded, total)
            except OSError:
                log.warning("could not write jieba's cache %s", self.cache_file, exc_info=True)
            cached = sharded, total
        else:
            self.loaded_from_cache = True
        tokenizer.FREQ, tokenizer.total = cached
        tokenizer.initialized = True
        with self._userdict.open("rb") as userdict:  # jieba leaves a path's file open
            tokenizer.load_userdict(userdict)
        return tokenizer

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
        """Greedy longest match over the domain words; other Chinese as single characters.
        Cut piece by piece between characters no domain word holds (punctuation, spaces:
        no match can span them, so the tokens are the same), each piece cached: a keystroke
        in a long note re-cuts the piece it changed."""
        self._fallback_vocabulary()
        breaks = self._fallback_breaks
        if breaks is None:
            return list(self._fallback_run(text))
        tokens: list[str] = []
        for piece in breaks.split(text):
            if piece:
                tokens.extend(self._fallback_run(piece))
        return tokens

    def _fallback_cut_run(self, text: str) -> tuple[str, ...]:
        tokens: list[str] = []
        vocabulary, longest = self._fallback_vocabulary()
        n = len(text)
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
        return tuple(tokens)
