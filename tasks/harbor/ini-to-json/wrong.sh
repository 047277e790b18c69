#!/bin/bash
# Plausible but wrong: splits on every '=' and keeps the first of a repeated key.
cat > /workspace/ini2json.py <<'PY'
import json
import sys

data, section = {}, ""
for raw in sys.stdin:
    line = raw.strip()
    if not line or line[0] in ";#":
        continue
    if line.startswith("["):
        section = line[1:-1]
        continue
    parts = line.split("=")
    data.setdefault(section, {}).setdefault(parts[0].strip(), parts[-1].strip())
print(json.dumps(data, sort_keys=True))
PY
