"""The team lead's review window (组长复盘): call browser, story, statistics with charts,
adherence grid, QA scorecards and the complaint handbook. Every query runs on the task
runner; the window never writes to calls."""

from desktop.ui.review.window import ReviewWindow

__all__ = ["ReviewWindow"]
