#!/bin/bash
# Terminal-Bench installs pytest here; these tests use only the standard library.
/usr/bin/python3 -m unittest discover -s "$TEST_DIR" -p 'test_*.py' -v
