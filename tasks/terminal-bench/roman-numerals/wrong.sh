#!/bin/bash
# Plausible but wrong: additive numerals only (4 is IIII), and no range check.
cat > /workspace/roman.sh <<'SCRIPT'
#!/bin/bash
n=${1:-0}
out=""
for pair in 1000:M 500:D 100:C 50:L 10:X 5:V 1:I; do
  v=${pair%%:*}; s=${pair#*:}
  while (( n >= v )); do out+=$s; n=$((n - v)); done
done
echo "$out"
SCRIPT
chmod +x /workspace/roman.sh
