"""The text engineer's parts as the app runs them: the bundled pack and a loaded jieba.

jieba's cache file lives in bench/.data/jieba, so only the first benchmark run ever builds it.
"""

from __future__ import annotations

from bench.common import DATA_DIR

JIEBA_TIMEOUT_S = 120.0


def bundled_pack():
    from desktop.core.content.loader import load_pack
    from desktop.paths import content_pack_dir

    return load_pack(content_pack_dir())


def loaded_segmenter():
    """A Segmenter whose jieba dictionary has loaded (in the background, as the app does)."""
    from desktop.core.text.segmenter import Segmenter

    segmenter = Segmenter(DATA_DIR / "jieba")
    segmenter.start_background()
    if not segmenter.wait(JIEBA_TIMEOUT_S):
        raise RuntimeError(f"jieba did not load within {JIEBA_TIMEOUT_S:.0f} s")
    return segmenter
