"""The Python client as docs/trainers.md shows it, run against the real server of the test run."""

import os
import pathlib
import re
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ale_client import Client, Env  # noqa: E402

TASK = os.environ.get("ALE_TASK", "greet")
DOCS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "trainers.md"


def snippet(heading):
    """The first ```python block under `heading` in docs/trainers.md, with the docs' task named as ours."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    return code.replace('"regex-phones"', repr(TASK))


class DocsAndThreadsTest(unittest.TestCase):

    def test_the_python_client_section_of_trainers_md_runs(self):
        exec(compile(snippet("## The Python client"), str(DOCS), "exec"), {})

    def test_an_env_is_made_by_task_by_task_dir_and_by_constructor(self):
        client = Client()
        for env in (Env.make(task_dir=TASK), Env(client, TASK), Env.make(TASK, client=client)):
            with env:
                obs, info = env.reset(seed=1)
                self.assertIn("note.txt", obs)
                self.assertEqual(env.task, TASK)
        with self.assertRaises(ValueError):
            Env(client)

    def test_one_client_serves_many_threads_on_kept_alive_connections(self):
        client = Client()
        errors, ports = [], set()

        def work():
            try:
                for _ in range(5):
                    client.request("GET", "/v1/envs")
                ports.add(client._local.conn.sock.getsockname()[1])
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(ports), 4, "one connection per thread, reused for its five calls")


if __name__ == "__main__":
    unittest.main()
