#!/bin/bash
# Plausible but wrong: greps for ERROR anywhere on the line and ignores the separator.
cat > report.sh <<'SCRIPT'
#!/bin/bash
grep ERROR | cut -c1-13 | sort | uniq -c | awk '{ print $2, $1 }'
SCRIPT
chmod +x report.sh
