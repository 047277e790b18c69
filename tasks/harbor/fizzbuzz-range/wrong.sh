#!/bin/bash
# Plausible but wrong: only positive multiples count, so 0 and negative multiples print as numbers.
cat > /workspace/fizzbuzz.sh <<'SCRIPT'
#!/bin/bash
for n in $(seq "$1" "$2"); do
  if (( n > 0 && n % 15 == 0 )); then echo FizzBuzz
  elif (( n > 0 && n % 3 == 0 )); then echo Fizz
  elif (( n > 0 && n % 5 == 0 )); then echo Buzz
  else echo "$n"; fi
done
SCRIPT
chmod +x /workspace/fizzbuzz.sh
