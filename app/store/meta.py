"""Small named values kept in the working copy's ``meta`` table (the feed cursor, the licence, the device's
identity): read anywhere, written only inside the caller's transaction."""
from __future__ import annotations


def get(conn, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def put_in(conn, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))
