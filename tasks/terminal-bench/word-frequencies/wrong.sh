#!/bin/bash
# Plausible but wrong: case-sensitive counting, and ties left in whatever order sort -nr gives.
cat > /workspace/wordfreq.sh <<'SCRIPT'
#!/bin/bash
tr -cs 'A-Za-z' '\n' | grep -v '^$' | sort | uniq -c | sort -nr | head -n 5 | awk '{print $1, $2}'
SCRIPT
chmod +x /workspace/wordfreq.sh
