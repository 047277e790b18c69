#!/bin/bash
cat > report.sh <<'SCRIPT'
#!/bin/bash
awk -v sep="$REPORT_SEP" '$1 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z$/ && $2 == "ERROR" { c[substr($1, 1, 13)]++ }
  END { for (h in c) print h sep c[h] }' | sort
SCRIPT
chmod +x report.sh
