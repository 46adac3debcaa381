"""One place that builds what every entry point needs from the settings: the runtime (the
database, checked and migrated as allowed, and the rule files), refusing to start when
either is not right. `cli`, `cli_data` and the Slack server all start here."""

from __future__ import annotations

import sys

from bot.config import Settings
from bot.domain.advisor_rules import RuleFileError
from bot.services.runtime import Runtime
from bot.store.schema import SchemaBehind


def start_runtime(settings: Settings) -> Runtime:
    """Open the database and check the rule files; a broken one stops us here, with the reason."""
    try:
        return Runtime.start(settings)
    except (RuleFileError, SchemaBehind) as error:
        print(f"Refusing to start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
