#!/usr/bin/env python3
"""Runs every fenced python, sh and bash block of a Markdown page, in page order, so the page cannot drift
from what works.

    python3 doc_snippets.py docs/trainers.md

Run it in a directory that holds what the page assumes (its tokens.yaml, tasks/, clients/), with `ale` on
PATH; DocSnippetsTest (ale-cli) prepares one and starts nothing itself: the page's own `ale serve` lines
start the servers the later snippets talk to.

- sh/bash: a line that runs `ale serve` starts that server in the background (stopping the one before)
  and waits for its "serving on" line; the other lines run in one bash (set -e) whose exported variables
  carry over to the blocks after it.
- python: executed in one namespace shared by all python blocks, as a reader who pastes them in order
  into one interpreter would; the variables exported by the sh blocks are in os.environ.
- A block right after the comment `<!-- snippet not run: REASON -->` is not run, and is listed with the reason.

Prints one line per block ("ran", "not run: REASON" or "FAILED") and exits 1 if any block failed.
"""

import os
import re
import signal
import subprocess
import sys
import time
import traceback

FENCE = re.compile(r"^```(\w*)\s*$")
NOT_RUN = re.compile(r"<!--\s*snippet not run:\s*(.*?)\s*-->")
SERVE = re.compile(r"^\s*(?:\S+=\S+\s+)*ale\s+serve\b")


def blocks(path):
    """(line number, language, code, reason not to run or None) of each fenced block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i, last_text = [], 0, ""
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            start, lang, body = i + 1, m.group(1), []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            skip = NOT_RUN.search(last_text)
            out.append((start, lang, "\n".join(body) + "\n", skip.group(1) if skip else None))
            last_text = ""
        elif lines[i].strip():
            last_text = lines[i]
        i += 1
    return out


class Servers:
    """The one `ale serve` the page has started last."""

    def __init__(self):
        self.proc = None

    def start(self, line, env):
        self.stop()
        self.proc = subprocess.Popen(["bash", "-c", "exec " + line.strip()], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            out = self.proc.stdout.readline()
            if not out:
                raise RuntimeError("`%s` exited %s before serving:\n%s" % (line.strip(), self.proc.wait(), "".join(seen)))
            seen.append(out)
            if "serving on" in out:
                return out.strip()
        raise RuntimeError("`%s` did not say it was serving within 120 s" % line.strip())

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self.proc = None


def run_shell(code, servers):
    """Starts the block's servers and runs its other lines; os.environ takes what the block exported."""
    rest = []
    for line in code.split("\n"):
        if SERVE.match(line):
            print("    " + servers.start(line, dict(os.environ)), flush=True)
        else:
            rest.append(line)
    script = "set -e\n" + "\n".join(rest) + "\nenv -0\n"
    done = subprocess.run(["bash", "-c", script], capture_output=True, env=dict(os.environ), timeout=600)
    if done.returncode != 0:
        raise RuntimeError("bash exited %d: %s" % (done.returncode, done.stderr.decode(errors="replace")))
    for pair in done.stdout.split(b"\0"):
        if b"=" in pair:
            k, v = pair.decode(errors="replace").split("=", 1)
            if os.environ.get(k) != v and not k.startswith(("BASH_", "SHLVL", "_")) and k not in ("PWD", "OLDPWD"):
                os.environ[k] = v


def main(path):
    servers, namespace, failed = Servers(), {"__name__": "__doc_snippets__"}, 0
    try:
        for start, lang, code, skip in blocks(path):
            where = "%s:%d (%s)" % (os.path.basename(path), start, lang)
            if lang not in ("python", "sh", "bash"):
                continue
            if skip:
                print("%s not run: %s" % (where, skip), flush=True)
                continue
            began = time.monotonic()
            try:
                if lang == "python":
                    exec(compile(code, "%s:%d" % (path, start), "exec"), namespace)
                else:
                    run_shell(code, servers)
                print("%s ran (%.1f s)" % (where, time.monotonic() - began), flush=True)
            except Exception:
                failed += 1
                print("%s FAILED\n%s" % (where, traceback.format_exc()), flush=True)
    finally:
        servers.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: doc_snippets.py PAGE.md")
    sys.exit(main(sys.argv[1]))
