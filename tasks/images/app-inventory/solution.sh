#!/bin/bash
cd /app
awk -F, 'NR > 1 && $3 ~ /^-?[0-9]+$/ { t[$2] += $3 } END { for (c in t) print c, t[c] }' inventory.csv | sort > report.txt
