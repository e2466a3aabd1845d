"""Connecting to the center database: a `postgresql://USER@HOST[:PORT]/DB` URL without a
password (libpq finds it in PGPASSWORD, ~/.pgpass / PGPASSFILE or a service file), and one
`CenterError` with a Chinese message for every way it can fail."""

from __future__ import annotations

import urllib.parse
from typing import Any

import psycopg

CONNECT_TIMEOUT_S = 5


class CenterError(Exception):
    """A failure the lead can act on; `message` is for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_center_url(text: str | None) -> bool:
    return bool(text) and str(text).startswith(("postgresql://", "postgres://"))


def check_url(url: str) -> str:
    """The URL if it is a usable center address; CenterError when it holds a password or is
    not a PostgreSQL URL. A password never belongs in a URL (shell history, settings, ps)."""
    if not is_center_url(url):
        raise CenterError(f"不是中心数据库地址（应为 postgresql://用户@主机[:端口]/库名）：{url}")
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    if parts.password is not None or "password" in query:
        raise CenterError(
            "地址中不能包含密码：请用 postgresql://用户@主机/库名，密码放在 PGPASSWORD 环境变量、"
            ".pgpass 文件或 pg_service.conf 中"
        )
    if not parts.path.strip("/") and "service" not in query:
        raise CenterError(f"地址缺少数据库名：{safe_url(url)}")
    return url


def safe_url(url: str) -> str:
    """The URL as shown in messages and settings (never with a password)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{parts.path}"


def connect(url: str, **kwargs: Any) -> psycopg.Connection:
    """A psycopg 3 connection (autocommit off), or CenterError saying what went wrong."""
    check_url(url)
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, **kwargs)
    except psycopg.OperationalError as exc:
        raise CenterError(explain(exc, url)) from exc


def explain(exc: BaseException, url: str) -> str:
    """A Chinese sentence for a libpq failure."""
    text = str(exc)
    where = safe_url(url)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f"中心数据库拒绝登录（用户名或密码错误）：{where}。请检查 PGPASSWORD / .pgpass"
    if "does not exist" in lowered and "database" in lowered:
        return f"中心数据库不存在：{where}"
    if "connection refused" in lowered or "could not connect" in lowered or "timeout" in lowered:
        return f"无法连接中心数据库（服务器未启动或网络不通）：{where}"
    if (
        "terminat" in lowered
        or "server closed the connection" in lowered
        or "consuming input failed" in lowered
    ):
        return f"与中心数据库的连接中断：{where}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"中心数据库出错：{where}（{first}）"
