"""Source secrets (tokens in URLs or headers, database passwords), encrypted at rest with a key
from the environment (`SOURCE_SECRET_KEY`, a Fernet key). Without the key nothing secret is
stored, and a stored secret cannot be read back by anyone who has only the database."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken

from bot.domain.errors import UserError


PLAIN = "plain:"  # a source with nothing secret (a public URL, no header) needs no key


class SecretBox:
    def __init__(self, key: str | None) -> None:
        self._fernet = Fernet(key.encode()) if key else None

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def seal(self, values: dict, secret: bool = True) -> str:
        """Encrypted; in clear only when nothing in it is secret and there is no key to use."""
        if self._fernet is None:
            if not secret:
                return PLAIN + json.dumps(values)
            raise UserError("source.error.no_secret_key")
        return self._fernet.encrypt(json.dumps(values).encode()).decode()

    def open(self, sealed: str) -> dict:
        if sealed.startswith(PLAIN):
            return json.loads(sealed[len(PLAIN):])
        if self._fernet is None:
            raise UserError("source.error.no_secret_key")
        try:
            return json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            raise UserError("source.error.secret_unreadable") from None

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()
