#!/bin/bash
# Plausible but wrong: a fixed greeting, and in the home directory rather than the working one.
echo "Hello, world!" > /workspace/hello.txt
