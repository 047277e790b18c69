#!/bin/bash
cat > /workspace/flatten.py <<'PY'
import json
import sys


def walk(value, path, out):
    if isinstance(value, dict) and value:
        for k, v in value.items():
            walk(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            walk(v, f"{path}.{i}" if path else str(i), out)
    else:
        out[path] = value


out = {}
walk(json.load(sys.stdin), "", out)
print(json.dumps(out, sort_keys=True))
PY
