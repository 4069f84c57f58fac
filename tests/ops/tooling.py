"""Helpers for tests that need tools outside Python: find them, or skip — except under CI."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent


def require_tool(name: str, install_hint: str) -> str:
    """The tool's path; a developer without it gets a skip, CI (CI=true) a failure."""
    found = shutil.which(name) or (str(VENV_BIN / name) if (VENV_BIN / name).exists() else None)
    if found:
        return found
    message = f"{name} not installed ({install_hint}); .ci/run installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
