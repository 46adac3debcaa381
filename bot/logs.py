"""Logging set-up. Slack tokens and secrets never reach a log line: slack-sdk logs response
bodies at DEBUG level (an OAuth install's response carries the new bot token)."""

from __future__ import annotations

import logging
import re

SECRET = re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|pbt_[A-Za-z0-9_-]+)")


class RedactSecrets(logging.Filter):
    def __init__(self, extra_secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.extra = tuple(s for s in extra_secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = SECRET.sub(lambda m: m.group(0)[:4] + "…redacted", message)
        for secret in self.extra:
            cleaned = cleaned.replace(secret, "…redacted")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets(secrets))
    if logging.getLogger().level > logging.DEBUG:
        # Alembic lists its plugins at INFO before every migration: noise on a newcomer's first
        # console. Its "Running upgrade ..." lines stay.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
