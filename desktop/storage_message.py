"""What the agent is told when the data folder cannot be used (read-only, log not writable,
disk full): the folder by name and what to do. Plain text, no Qt, so the start-up path and
tests share it; the start-up path (desktop/run.py) words its errors with it."""

from __future__ import annotations

import errno
from pathlib import Path

TITLE = "坐席助手：无法使用数据文件夹"


def reason_and_advice(exc: OSError) -> tuple[str, str]:
    """Why the folder cannot be used, and what to do, in the agent's words."""
    if exc.errno == errno.ENOSPC:
        why = "磁盘已满"
        todo = "请删除不需要的文件腾出空间，或请 IT 管理员扩容后再启动坐席助手。"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "没有写入权限（文件夹只读）"
        todo = "请请 IT 管理员为本用户开放该文件夹的读写权限，或用 --data-dir 选择另一个文件夹。"
    else:
        why = exc.strerror or str(exc)
        todo = "请检查该文件夹，或用 --data-dir 选择另一个文件夹；仍有问题请联系 IT 管理员。"
    return why, todo


def data_dir_problem(folder: Path, step: str, exc: OSError) -> str:
    """The dialog text for `exc` raised while `step` (e.g. 创建文件夹, 写入日志)."""
    why, todo = reason_and_advice(exc)
    return f"{step}失败：{why}。\n\n文件夹：{folder}\n\n{todo}"
