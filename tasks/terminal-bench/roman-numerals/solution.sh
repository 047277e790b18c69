#!/bin/bash
cat > /workspace/roman.sh <<'SCRIPT'
#!/bin/bash
n=$1
[[ "$n" =~ ^[0-9]+$ ]] && (( n >= 1 && n <= 3999 )) || exit 1
out=""
for pair in 1000:M 900:CM 500:D 400:CD 100:C 90:XC 50:L 40:XL 10:X 9:IX 5:V 4:IV 1:I; do
  v=${pair%%:*}; s=${pair#*:}
  while (( n >= v )); do out+=$s; n=$((n - v)); done
done
echo "$out"
SCRIPT
chmod +x /workspace/roman.sh
