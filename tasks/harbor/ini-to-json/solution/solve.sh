#!/bin/bash
cat > /workspace/ini2json.py <<'PY'
import json
import sys

data, section = {}, ""
for raw in sys.stdin:
    line = raw.strip()
    if not line or line[0] in ";#":
        continue
    if line.startswith("[") and line.endswith("]"):
        section = line[1:-1].strip()
        data.setdefault(section, {})
        continue
    key, _, value = line.partition("=")
    data.setdefault(section, {})[key.strip()] = value.strip()
print(json.dumps(data, sort_keys=True))
PY
