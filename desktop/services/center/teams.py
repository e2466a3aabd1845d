"""The center's agent / team dimension: which agents a team holds (for team filters)."""

from __future__ import annotations

import psycopg


def assign_team(conn: psycopg.Connection, agent_id: str, team_id: str, team_name: str = "") -> None:
    """Put an agent (created if unknown) in a team (created if unknown); one transaction."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO teams (id, name) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE "
            "SET name = CASE WHEN EXCLUDED.name = '' THEN teams.name ELSE EXCLUDED.name END",
            [team_id, team_name],
        )
        conn.execute(
            "INSERT INTO agents (id, team_id) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET team_id = EXCLUDED.team_id",
            [agent_id, team_id],
        )


def team_agents(conn: psycopg.Connection, team_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT id FROM agents WHERE team_id = %s ORDER BY id", [team_id]
    ).fetchall()
    conn.rollback()
    return [r[0] for r in rows]


def teams(conn: psycopg.Connection) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT id, name FROM teams ORDER BY id").fetchall()
    conn.rollback()
    return [(r[0], r[1]) for r in rows]


def team_members(conn: psycopg.Connection) -> dict[str, tuple[str, list[str]]]:
    """team id -> (name, its agents in order): the review's team filter, in one read."""
    out: dict[str, tuple[str, list[str]]] = {}
    for team_id, name in conn.execute("SELECT id, name FROM teams ORDER BY id").fetchall():
        out[team_id] = (name, [])
    for team_id, agent in conn.execute(
        "SELECT team_id, id FROM agents WHERE team_id IS NOT NULL ORDER BY team_id, id"
    ).fetchall():
        if team_id in out:
            out[team_id][1].append(agent)
    conn.rollback()
    return out
