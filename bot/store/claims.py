"""Claims: the first insert of a key wins, in every replica (the `seen_request` table).

Slack and Feishu deliver some things twice (a replayed request, an event retried, a form
submitted twice); whoever inserts its key first acts, everyone else does nothing."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Insert, bindparam
from sqlalchemy.exc import IntegrityError

from bot.store.models import SeenRequest, utcnow

KEY_LENGTH = 160  # the column's width: a longer key is cut, consistently


def claim_in(connection: Connection, key: str) -> bool:
    """True if this insert of `key` is the first, in the caller's Core transaction: the claim
    commits, or rolls back, with the caller's own writes."""
    statement = claim_statement(connection.dialect.name)
    if statement is not None:
        return connection.execute(statement, claim_params(key)).first() is not None
    try:
        with connection.begin_nested():
            connection.execute(SeenRequest.__table__.insert(), claim_params(key))
        return True
    except IntegrityError:
        return False


def claim_params(key: str) -> dict:
    return {"key": key[:KEY_LENGTH], "created_at": utcnow()}


@cache
def claim_statement(dialect: str) -> Insert | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING key, in the dialects that have it (the bot's own
    databases): a row back means this caller inserted it (psycopg reports no rowcount here)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        return None
    table = SeenRequest.__table__
    return (insert(table).values(key=bindparam("key"), created_at=bindparam("created_at"))
            .on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key))
