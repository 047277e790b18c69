#!/bin/bash
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "the verifier runs as root in this task's image, not as uid $(id -u)"
[ "$(cat /var/lib/inventory/built-by-uid)" = 0 ] || fail "the image's RUN step did not run as root"
[ "$PWD" = /app ] || fail "the working directory is $PWD, not /app"
[ -f /app/report.txt ] || fail "/app/report.txt is missing"
expected=$'garden 15\npaint 5\ntools 9'
actual=$(cat /app/report.txt)
[ "$actual" = "$expected" ] || fail "report.txt is
$actual
expected
$expected"
echo PASS
