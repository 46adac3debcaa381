"""The layer rules hold (pyproject.toml's [tool.importlinter] contracts, checked by
import-linter over the whole import graph): no module outside bot/slack/ imports Slack's SDKs,
the domain imports no database or platform, and no layer imports one above it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_import_graph_keeps_the_layers():
    done = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in done.stdout
