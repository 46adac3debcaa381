"""Processing a Slack delivery once, however many times it arrives."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.store.claims import KEY_LENGTH, claim_in
from bot.store.database import queued_transaction
from bot.store.models import SeenRequest


def first_delivery(session: Session, key: str) -> bool:
    """True the first time `key` is seen (and records it in the caller's transaction)."""
    try:
        with session.begin_nested():
            session.add(SeenRequest(key=key[:KEY_LENGTH]))
        return True
    except IntegrityError:
        return False


def claim_delivery(engine: Engine, key: str) -> bool:
    """`first_delivery` in a transaction of its own, for work that is not one unit of work.

    Every signed Slack request is claimed before it is acted on, so it is one statement
    (an insert that does nothing on a conflict), not a session, a savepoint and a flush."""
    with queued_transaction(engine) as connection:
        return claim_in(connection, key)


class Delivery:
    """One signed request, to be acted on once. The edge that received it hands it to the work it
    starts instead of claiming it first: a command claims it in the transaction that does its work
    (`unclaimed_key`, then `settled` once that has committed), so the claim commits with the work
    or not at all, and a request costs one commit (on PostgreSQL each commit waits for the disk);
    work that is not one transaction (opening a form) claims it alone first (`claim`). `fresh` is
    None until it has been claimed; it is only touched by the request's own thread."""

    def __init__(self, engine: Engine, key: str) -> None:
        self.engine, self.key = engine, key
        self.fresh: bool | None = None

    def claim(self) -> bool:
        """True if this is the first arrival: claimed now, or already by the work that took it."""
        if self.fresh is None:
            self.fresh = claim_delivery(self.engine, self.key)
        return self.fresh

    @property
    def unclaimed_key(self) -> str | None:
        """The key, for work that claims it in its own transaction; None once it has been claimed."""
        return self.key if self.fresh is None else None

    def settled(self, fresh: bool) -> None:
        """What the work that claimed the key in its own transaction found, once that has committed
        (a replay is final: the conflict is only seen after the first claim committed)."""
        self.fresh = fresh
