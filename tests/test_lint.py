"""Undefined names and syntax errors are bugs a user would meet; ruff finds them before they do."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_no_undefined_names_or_unused_imports():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "bot", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
