#!/usr/bin/env python3
"""A minimal tool-using agent for any OpenAI-compatible server, in the Python standard library.

It is what "agent-native" mode looks like from inside an ALE sandbox: the sandbox's environment
holds OPENAI_BASE_URL (the model proxy, reached through the gateway) and OPENAI_API_KEY (the
sandbox's own token), and any agent program that reads them works unchanged. This one gives the
model one tool, `shell`, runs what it asks, and stops when the model answers without a tool call.

    python3 ale_mini_agent.py "Write hello to /workspace/out.txt"

Exit status: 0 when the model finished, 1 when the model server refused or failed (the reason
is printed), 2 for bad usage, 3 when the turn limit ran out.
"""

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

SHELL_TOOL = {
    "type": "function",
    "function": {
        "name": "shell",
        "description": "Run a shell command (bash -c) in the working directory; returns the exit status, stdout and stderr.",
        "parameters": {
            "type": "object",
            "properties": {"command": {"type": "string", "description": "the command line"}},
            "required": ["command"],
        },
    },
}
OUTPUT_LIMIT = 16 * 1024


def chat(base_url, key, model, messages, timeout):
    body = json.dumps({"model": model, "messages": messages, "tools": [SHELL_TOOL]}).encode()
    request = urllib.request.Request(base_url.rstrip("/") + "/chat/completions", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    # the model proxy is reached directly, never through HTTP_PROXY
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=timeout) as response:
        return json.loads(response.read().decode())


def run_shell(arguments, timeout):
    try:
        command = json.loads(arguments or "{}").get("command")
    except (json.JSONDecodeError, AttributeError):
        command = None
    if not isinstance(command, str) or not command:
        return 'error: shell needs {"command": "..."}'
    try:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "error: the command ran past %d s and was stopped" % timeout
    text = "exit %d\n%s%s" % (done.returncode, done.stdout, done.stderr)
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + "\n[cut at %d characters]" % OUTPUT_LIMIT


def main(argv):
    parser = argparse.ArgumentParser(description="A minimal shell-using agent for an OpenAI-compatible server.")
    parser.add_argument("task", nargs="+", help="what to do")
    parser.add_argument("--model", default=os.environ.get("OPENAI_MODEL", "default"), help="model name to ask for")
    parser.add_argument("--max-turns", type=int, default=20, help="most model calls (default 20)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds for one model call or one command (default 300)")
    args = parser.parse_args(argv)
    base_url, key = os.environ.get("OPENAI_BASE_URL"), os.environ.get("OPENAI_API_KEY")
    if not base_url or not key:
        print("ale-mini-agent: OPENAI_BASE_URL and OPENAI_API_KEY must be set (ALE sets both in a sandbox served by ale serve --model)",
              file=sys.stderr)
        return 2
    if args.max_turns < 1:
        print("ale-mini-agent: --max-turns must be at least 1", file=sys.stderr)
        return 2

    messages = [
        {"role": "system", "content": "You solve tasks with the shell tool. Answer without a tool call when you are done."},
        {"role": "user", "content": " ".join(args.task)},
    ]
    for turn in range(1, args.max_turns + 1):
        try:
            reply = chat(base_url, key, args.model, messages, args.timeout)
        except urllib.error.HTTPError as e:
            print("ale-mini-agent: the model server answered %d: %s" % (e.code, e.read().decode(errors="replace").strip()), file=sys.stderr)
            return 1
        except (urllib.error.URLError, OSError, ValueError) as e:
            print("ale-mini-agent: cannot reach the model server at %s: %s" % (base_url, e), file=sys.stderr)
            return 1
        choices = reply.get("choices") or [{}]
        message = choices[0].get("message") or {}
        calls = message.get("tool_calls") or []
        messages.append({"role": "assistant", "content": message.get("content"), **({"tool_calls": calls} if calls else {})})
        if not calls:
            print("[turn %d] done: %s" % (turn, message.get("content") or ""))
            return 0
        for call in calls:
            function = call.get("function") or {}
            if function.get("name") == "shell":
                result = run_shell(function.get("arguments"), args.timeout)
            else:
                result = "error: there is no tool %r; the only tool is shell" % function.get("name")
            print("[turn %d] %s %s\n%s" % (turn, function.get("name"), function.get("arguments"), result))
            messages.append({"role": "tool", "tool_call_id": call.get("id", ""), "content": result})
    print("ale-mini-agent: stopped after %d turns" % args.max_turns, file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
