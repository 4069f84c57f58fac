"""Reads `npm audit --json` on stdin; fails on any high/critical advisory not in the allow-list."""

import json
import sys
from pathlib import Path

allowed = {
    line.split()[0]
    for line in Path(sys.argv[1]).read_text().splitlines()
    if line.strip() and not line.startswith("#")
}
report = json.load(sys.stdin)
bad = []
for name, item in report.get("vulnerabilities", {}).items():
    for via in item.get("via", []):
        if not isinstance(via, dict) or via.get("severity") not in ("high", "critical"):
            continue
        advisory = str(via.get("url", "")).rsplit("/", 1)[-1]
        if advisory not in allowed:
            bad.append(f"{name}: {via.get('severity')} {advisory} {via.get('title', '')}")
total = report.get("metadata", {}).get("vulnerabilities", {})
print(f"npm audit: {total}")
for line in bad:
    print("NOT ALLOWED:", line)
sys.exit(1 if bad else 0)
