"""The client's handling of a cluster front's typed, retriable 503 (node_unavailable): the front's
replies are scripted here, on a real loopback socket, in the exact shape ClusterEndToEndTest checks
the real front gives (status 503, Retry-After, {"error": {"code": "node_unavailable", ...}})."""

import http.server
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ale_client import AleError, Client, Env, NodeUnavailable  # noqa: E402


class ScriptedFront(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next reply its server's script holds for that path."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.seen.append((self.path, body))
        status, reply = self.server.script[self.path].pop(0)
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 503:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def down(node):
    return 503, {"error": {"code": "node_unavailable", "message": f"node {node} is not answering; retry the episode"}}


def made(env_id):
    return 201, {"env_id": env_id, "task": "greet"}


def reset_ok():
    return 200, {"observation": "ok", "info": {"tools": []}}


class NodeUnavailableTest(unittest.TestCase):

    def start(self, script):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ScriptedFront)
        server.script, server.seen = script, []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        client = Client(url=f"http://127.0.0.1:{server.server_address[1]}", token="t")
        self.addCleanup(client.close)
        return server, client

    def test_a_create_that_meets_a_dead_node_is_made_again_on_a_live_one(self):
        server, client = self.start({"/v1/envs": [down("n2"), made("n1.env-0000000000000001")]})
        env = Env(client, "greet")
        self.assertEqual(env.env_id, "n1.env-0000000000000001")
        self.assertEqual([p for p, _ in server.seen], ["/v1/envs", "/v1/envs"])

    def test_an_episode_whose_node_died_starts_in_a_new_environment_with_the_same_task(self):
        server, client = self.start({
            "/v1/envs": [made("n2.env-0000000000000002"), made("n3.env-0000000000000003")],
            "/v1/envs/n2.env-0000000000000002/reset": [down("n2")],
            "/v1/envs/n3.env-0000000000000003/reset": [reset_ok()],
        })
        env = Env(client, "greet", group="g1", sample=4)
        obs, _ = env.reset(seed=7)
        self.assertEqual(obs, "ok")
        self.assertEqual(env.env_id, "n3.env-0000000000000003")
        makes = [b for p, b in server.seen if p == "/v1/envs"]
        self.assertEqual(makes[1], {"task": "greet", "group": "g1", "sample": 4}, "the same task and labels")
        self.assertEqual(server.seen[-1][1], {"seed": 7})

    def test_a_step_that_meets_a_dead_node_is_a_typed_retriable_error_not_retried(self):
        server, client = self.start({
            "/v1/envs": [made("n2.env-0000000000000002")],
            "/v1/envs/n2.env-0000000000000002/step": [down("n2")],
        })
        env = Env(client, "greet")
        with self.assertRaises(NodeUnavailable) as caught:
            env.step({"name": "shell", "arguments": {"command": "true"}})
        self.assertTrue(caught.exception.retriable)
        self.assertEqual(caught.exception.retry_after, 0.0)
        self.assertEqual(len([p for p, _ in server.seen if p.endswith("/step")]), 1, "a step is the episode's: never sent twice")

    def test_creates_give_up_after_their_retries_and_other_errors_are_not_retried(self):
        server, client = self.start({"/v1/envs": [down("n1"), down("n2")] + [
            (429, {"error": {"code": "quota_exceeded", "message": "max_sandboxes 2"}})]})
        client.infra_retries = 1
        with self.assertRaises(NodeUnavailable):
            Env(client, "greet")
        with self.assertRaises(AleError) as caught:
            Env(client, "greet")
        self.assertNotIsInstance(caught.exception, NodeUnavailable)
        self.assertFalse(caught.exception.retriable)
        self.assertEqual(len(server.seen), 3)


if __name__ == "__main__":
    unittest.main()
