#!/bin/bash
# Plausible but wrong: finds the column with a substring match and always exits 0.
cat > /workspace/colsum.sh <<'SCRIPT'
#!/bin/bash
n=$(head -1 "$1" | tr ',' '\n' | grep -n "$2" | head -1 | cut -d: -f1)
tail -n +2 "$1" | cut -d, -f"${n:-1}" | awk '{ s += $1 } END { print s + 0 }'
SCRIPT
chmod +x /workspace/colsum.sh
