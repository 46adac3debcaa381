"""Where the shipped data files are: `templates/` travels in the wheel as `bot/_templates`.

Found through the installed package, never the current directory, so the bot works from
any folder; a source checkout (editable install) uses the top-level `templates/` folder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import bot


@cache
def templates_dir() -> Path:
    package = Path(bot.__file__).resolve().parent
    for candidate in (package / "_templates", package.parent / "templates"):
        if (candidate / "i18n").is_dir():
            return candidate
    raise FileNotFoundError(f"templates not found beside {package}; reinstall the package")
