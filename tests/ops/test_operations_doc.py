"""docs/operations.md documents every environment variable the code reads, so an operator's
configuration reference never falls behind the code."""

from __future__ import annotations

import re

from backend.settings import ROOT

# A literal that is exactly a LINLI_* name, or the first argument of an environment read
# (os.environ.get, getenv, or settings.py's small `_int(...)`-style helpers).
READS = re.compile(
    r"""["'](LINLI_[A-Z0-9_]+)["']"""
    r"""|(?:environ\.get|environ\[|getenv|\b_[a-z]+)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def test_every_environment_variable_is_in_the_configuration_reference() -> None:
    names = {
        name
        for path in (ROOT / "backend").rglob("*.py")
        for match in READS.findall(path.read_text(encoding="utf-8"))
        for name in match
        if name
    }
    assert {"DATABASE_URL", "LINLI_SECRET_KEY", "LINLI_JOBS_INTERVAL"} <= names  # the scan works
    reference = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    table = reference.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert missing == [], f"add these to docs/operations.md, Configuration reference: {missing}"
