#!/bin/bash
echo "Hello, $GREETING_NAME!" > hello.txt
