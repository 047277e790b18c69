#!/bin/bash
# Terminal-Bench's entry point: the checks live in $TEST_DIR, copied in only for this phase.
exec bash "$TEST_DIR/check.sh"
