"""The multi-process topology, proved on loopback: scripts/loopback_cluster.py starts a fresh
PostgreSQL database, the one-shot migration, 3 app processes in production mode and Caddy, runs
the core loop through Caddy (idempotent ordering and a claim race across processes included) and
stops one process gracefully while the others keep answering. It runs in the PostgreSQL pass.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from backend.settings import ROOT
from tests.conftest import KIND
from tests.ops.tooling import require_tool

pytestmark = pytest.mark.skipif(KIND != "postgresql", reason="needs PostgreSQL: runs in that pass")


def test_three_processes_behind_caddy_serve_the_core_loop(database_url: str) -> None:
    require_tool("caddy", "apt-get install -y caddy")
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "loopback_cluster.py")],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout
