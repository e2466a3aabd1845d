"""Chinese text assist: normalisation, jieba segmentation, intent and complaint cues, phrases.

Pure Python (no Qt, no SQL). Everything here only suggests; nothing changes a call by itself.
"""
