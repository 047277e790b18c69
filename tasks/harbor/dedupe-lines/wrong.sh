#!/bin/bash
# Plausible but wrong: sort -u loses the order and keeps lines differing in trailing blanks.
cat > dedupe.sh <<'SCRIPT'
#!/bin/bash
sort -u
SCRIPT
chmod +x dedupe.sh
