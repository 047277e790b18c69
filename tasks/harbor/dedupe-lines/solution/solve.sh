#!/bin/bash
cat > dedupe.sh <<'SCRIPT'
#!/bin/bash
awk '{ k = $0; sub(/[ \t]+$/, "", k) } !seen[k]++'
SCRIPT
chmod +x dedupe.sh
