#!/bin/bash
# counts the item with quantity "x" as 0 but also drops the negative one: a plausible misreading
cd /app
awk -F, 'NR > 1 && $3 ~ /^[0-9]+$/ { t[$2] += $3 } END { for (c in t) print c, t[c] }' inventory.csv | sort > report.txt
