#!/bin/bash
# Plausible but wrong: drops empty containers and treats lists as leaves.
cat > /workspace/flatten.py <<'PY'
import json
import sys


def walk(value, path, out):
    if isinstance(value, dict):
        for k, v in value.items():
            walk(v, f"{path}.{k}" if path else k, out)
    else:
        out[path] = value


out = {}
walk(json.load(sys.stdin), "", out)
print(json.dumps(out, sort_keys=True))
PY
