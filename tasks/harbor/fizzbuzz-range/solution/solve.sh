#!/bin/bash
cat > /workspace/fizzbuzz.sh <<'SCRIPT'
#!/bin/bash
for ((n = $1; n <= $2; n++)); do
  if (( n % 15 == 0 )); then echo FizzBuzz
  elif (( n % 3 == 0 )); then echo Fizz
  elif (( n % 5 == 0 )); then echo Buzz
  else echo "$n"; fi
done
SCRIPT
chmod +x /workspace/fizzbuzz.sh
