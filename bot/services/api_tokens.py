"""API tokens: how a CRM or a spreadsheet proves which workspace it pushes actuals into.

Only a SHA-256 hash is stored: a database dump, a backup or an export never holds a usable
token. The plaintext exists once, in the reply to the owner who created it (ephemeral in Slack),
and is kept out of every `repr`, so no log line can carry it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.domain.errors import UserError
from bot.domain.token_commands import CreateToken, ListTokens, RevokeToken
from bot.domain.views import Person
from bot.services import lookup
from bot.services.context import Context, workspace_zone
from bot.store.models import ApiToken, Member, Workspace

PREFIX = "pbt_"
_SHAPE = re.compile(r"^pbt_[A-Za-z0-9_-]{20,100}$")
_NO_MATCH = "0" * 64


@dataclass(frozen=True)
class TokenCreated:
    number: int
    label: str
    token: str = field(repr=False)  # shown once; never logged


@dataclass(frozen=True)
class TokenEntry:
    number: int
    label: str
    created_by: Person
    created_at: datetime  # the workspace's local time
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class TokenList:
    tokens: tuple[TokenEntry, ...]


@dataclass(frozen=True)
class TokenRevoked:
    number: int
    label: str
    already: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def create_token(ctx: Context, command: CreateToken) -> TokenCreated:
    ctx.require_owner("token")
    token = new_token()
    row = ApiToken(workspace_id=ctx.workspace.id, number=0, label=command.label, token_hash=token_hash(token),
                   created_by=ctx.member.id, created_at=ctx.now)
    lookup.insert_numbered(ctx.session, row, ApiToken.workspace_id, ctx.workspace.id)
    return TokenCreated(row.number, row.label, token)


def list_tokens(ctx: Context, _command: ListTokens) -> TokenList:
    """Owners only: even without the secrets, who can push data in is the owners' business."""
    ctx.require_owner("token")
    zone = workspace_zone(ctx.workspace)
    rows = ctx.session.exec(select(ApiToken).where(ApiToken.workspace_id == ctx.workspace.id).order_by(ApiToken.number)).all()
    creators = {m.id: Person(m.user_id, m.name or m.user_id)
                for m in ctx.session.exec(select(Member).where(Member.workspace_id == ctx.workspace.id)).all()}
    return TokenList(tuple(
        TokenEntry(r.number, r.label, creators.get(r.created_by, Person("?", "?")), r.created_at.astimezone(zone),
                   r.revoked_at.astimezone(zone) if r.revoked_at else None)
        for r in rows
    ))


def revoke_token(ctx: Context, command: RevokeToken) -> TokenRevoked:
    ctx.require_owner("token")
    row = ctx.session.exec(
        select(ApiToken).where(ApiToken.workspace_id == ctx.workspace.id, ApiToken.number == command.number)
    ).first()
    if row is None:
        raise UserError("token.error.unknown", number=command.number)
    if row.revoked_at is not None:
        return TokenRevoked(row.number, row.label, already=True)
    row.revoked_at = ctx.now
    return TokenRevoked(row.number, row.label)


def authenticate(session: Session, token: str | None) -> tuple[Workspace, Member] | None:
    """The workspace a token opens and the member who created it (the author of what it
    records), or None for anything else: malformed, unknown or revoked alike."""
    if not token or not _SHAPE.match(token):
        return None
    digest = token_hash(token)
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if not hmac.compare_digest(digest, row.token_hash if row is not None else _NO_MATCH) or row is None:
        return None
    if row.revoked_at is not None:
        return None
    workspace = session.get(Workspace, row.workspace_id)
    member = session.get(Member, row.created_by)
    if workspace is None or member is None:
        return None
    return workspace, member


HANDLERS: dict[type, Callable] = {
    CreateToken: create_token,
    ListTokens: list_tokens,
    RevokeToken: revoke_token,
}
