"""ALE's HTTP API over urllib: a Client (base URL and token), GEM Envs and Sandboxes."""

import http.client
import json
import os
import threading
import time
import urllib.parse

# what a cluster's front answers when the node holding an id, or every node, cannot be reached
INFRA_CODES = ("node_unavailable", "no_nodes")
# the longest wait a Retry-After may ask of a create's retry
MAX_RETRY_AFTER = 30.0


class AleError(Exception):
    """The server refused a request: `status` (HTTP), `code` (e.g. "quota_exceeded") and its message.

    `retry_after` is the server's Retry-After in seconds (or None); `retriable` says whether the same
    request may succeed later (503, or a full node or fleet).
    """

    def __init__(self, status, code, message, retry_after=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def retriable(self):
        return self.status == 503 or (self.status == 429 and self.code in ("fleet_full", "node_full"))


class NodeUnavailable(AleError):
    """503 node_unavailable (or no_nodes) from a cluster's front: the node holding this environment or
    sandbox died or left. Its environments are lost with it: an infrastructure failure, not the agent's.
    Drop the episode and make a new environment, which the front places on a live node (Env.reset
    does so by itself when it starts an episode)."""


class Client:
    """Where the server is and the token to show it. Defaults: $ALE_URL and $ALE_TOKEN.

    One client may be shared by many threads: each thread keeps its own keep-alive connection,
    so calls reuse their TCP connection and never interleave on one.
    """

    def __init__(self, url=None, token=None, timeout=600.0, infra_retries=3):
        """`infra_retries`: how often a create is tried again after a retriable 503 (a node that died
        while making it, no live node yet), each after the server's Retry-After."""
        self.infra_retries = infra_retries
        self.url = (url or os.environ.get("ALE_URL") or "http://127.0.0.1:8080").rstrip("/")
        self.token = token or os.environ.get("ALE_TOKEN")
        if not self.token:
            raise ValueError("no token: pass token=... or set ALE_TOKEN")
        self.timeout = timeout
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {self.url}")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._local = threading.local()
        self._open = []
        self._lock = threading.Lock()

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.timeout)
            with self._lock:
                self._open.append(conn)
            self._local.conn = conn
            self._local.used = False
        return conn

    def _drop(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            with self._lock:
                if conn in self._open:
                    self._open.remove(conn)
        self._local.conn = None

    def close(self):
        """Closes every connection this client opened, in any thread; the next call opens a fresh one."""
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def create(self, path, body):
        """A POST that makes something (an environment, a sandbox): a retriable 503 (NodeUnavailable) is
        tried again after its Retry-After, up to infra_retries times, since the front places it anew."""
        for attempt in range(self.infra_retries + 1):
            try:
                return self.request("POST", path, body)
            except NodeUnavailable as e:
                if attempt == self.infra_retries:
                    raise
                time.sleep(min(e.retry_after if e.retry_after is not None else 1.0, MAX_RETRY_AFTER))

    def request(self, method, path, body=None, raw=None, content_type="application/json", query=None):
        """Sends one request; the JSON answer (or the raw bytes for raw=True answers), or AleError
        (NodeUnavailable for a cluster's typed, retriable 503)."""
        target = self._prefix + path
        if query:
            target += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {"Authorization": "Bearer " + self.token}
        if raw is not None:
            data = raw
            headers["Content-Type"] = content_type
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            reused = self._local.used
            try:
                conn.request(method, target, body=data, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                self._local.used = True
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # a kept-alive connection the server had closed while idle: the request never reached it
                self._drop()
                if not reused or attempt == 2:
                    raise
            except Exception:
                self._drop()
                raise
        if resp.getheader("Connection", "").lower() == "close":
            self._drop()
        if resp.status >= 400:
            text = payload.decode("utf-8", "replace")
            retry_after = _seconds(resp.getheader("Retry-After"))
            try:
                err = json.loads(text)["error"]
                code, message = err.get("code", "unknown"), err.get("message", text)
            except (ValueError, KeyError, TypeError):
                raise AleError(resp.status, "http_error", text, retry_after) from None
            cls = NodeUnavailable if resp.status == 503 and code in INFRA_CODES else AleError
            raise cls(resp.status, code, message, retry_after)
        if (resp.getheader("Content-Type") or "").split(";")[0].strip() == "application/json":
            return json.loads(payload) if payload else None
        return payload


def _seconds(header):
    """Retry-After in seconds (the delta form; a date is read as one second)."""
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        return 1.0


class Env:
    """A GEM environment: one task, stepped one action at a time.

        env = Env(client, "greet")                  # or Env.make("greet", seed=1), Env.make(task_dir="greet")
        obs, info = env.reset()
        obs, reward, terminated, truncated, info = env.step({"name": "shell", "arguments": {"command": "ls"}})
        env.close()
    """

    def __init__(self, client=None, task=None, seed=None, passport=None, task_dir=None, group=None, sample=None,
                 action_format=None, env_id=None):
        """Makes an environment of `task` (a task id) or `task_dir` (a directory under the server's --tasks);
        `env_id` instead attaches to one made before. `group` and `sample` label its episodes for GRPO."""
        self._owns_client = client is None
        self.client = client or Client()
        self.tools = []
        if env_id is not None:
            made = self.client.request("GET", f"/v1/envs/{env_id}")
        else:
            if (task is None) == (task_dir is None):
                raise ValueError("give exactly one of task (a task id) and task_dir (a directory name)")
            body = {"task_dir": task_dir} if task_dir is not None else {"task": task}
            for key, value in (("seed", seed), ("passport", passport), ("group", group), ("sample", sample),
                               ("action_format", action_format)):
                if value is not None:
                    body[key] = value
            made = self.client.create("/v1/envs", body)
        self._make_body = None if env_id is not None else body
        self.env_id = made["env_id"]
        self.task = made["task"]

    @classmethod
    def make(cls, task=None, seed=None, passport=None, client=None, task_dir=None, group=None, sample=None, action_format=None):
        """A new environment of `task`, or of `task_dir`; as Env(client, task, ...)."""
        return cls(client, task, seed=seed, passport=passport, task_dir=task_dir, group=group, sample=sample,
                   action_format=action_format)

    def reset(self, seed=None, group=None, sample=None):
        """A fresh episode: returns (observation, info); info["tools"] holds the OpenAI tool schemas.

        On a cluster, when this environment's node is gone (NodeUnavailable), the episode starts in a
        new environment of the same task, which the front places on a live node: nothing of the
        episode existed yet. A step that meets a dead node raises NodeUnavailable: drop that episode."""
        body = {}
        for key, value in (("seed", seed), ("group", group), ("sample", sample)):
            if value is not None:
                body[key] = value
        try:
            r = self.client.request("POST", f"/v1/envs/{self.env_id}/reset", body)
        except NodeUnavailable:
            if self._make_body is None:
                raise  # attached by env_id: what to make again is not known here
            self.env_id = self.client.create("/v1/envs", self._make_body)["env_id"]
            r = self.client.request("POST", f"/v1/envs/{self.env_id}/reset", body)
        self.tools = r["info"].get("tools", [])
        return r["observation"], r["info"]

    def step(self, action):
        """Runs one action: a tool call (OpenAI form, {"name", "arguments"} or {"tool", "arguments"}),
        or a string for a task whose action format is shell or text.

        Returns (observation, reward, terminated, truncated, info).
        """
        r = self.client.request("POST", f"/v1/envs/{self.env_id}/step", {"action": action})
        return r["observation"], r["reward"], r["terminated"], r["truncated"], r["info"]

    def close(self):
        try:
            self.client.request("POST", f"/v1/envs/{self.env_id}/close")
        finally:
            if self._owns_client:
                self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.close()
        except AleError as e:
            if e.status != 404:
                raise


class Sandbox:
    """A sandbox behind the gateway and under the monitor: exec, files, delete."""

    def __init__(self, client, info):
        self.client = client
        self.info = info
        self.id = info["id"]
        self._owns_client = False

    @classmethod
    def create(cls, passport=None, labels=None, idle_timeout_seconds=None, client=None):
        owns = client is None
        client = client or Client()
        body = {}
        if passport is not None:
            body["passport"] = passport
        if labels:
            body["labels"] = labels
        if idle_timeout_seconds is not None:
            body["idle_timeout_seconds"] = idle_timeout_seconds
        sandbox = cls(client, client.create("/v1/sandboxes", body))
        sandbox._owns_client = owns
        return sandbox

    def exec(self, command, timeout_seconds=None, env=None, cwd=None, stdin=None):
        """Runs `command`: a list is an argv, a string a shell line. Returns the result dict
        (exit_code, stdout, stderr, killed, reason, events)."""
        body = {"argv": list(command)} if isinstance(command, (list, tuple)) else {"command": command}
        if timeout_seconds is not None:
            body["timeout_seconds"] = timeout_seconds
        if env:
            body["env"] = env
        if cwd:
            body["cwd"] = cwd
        if stdin is not None:
            body["stdin"] = stdin
        return self.client.request("POST", f"/v1/sandboxes/{self.id}/exec", body)

    def read_file(self, path):
        """The file's bytes."""
        return self.client.request("GET", f"/v1/sandboxes/{self.id}/files", query={"path": path})

    def write_file(self, path, content):
        """Writes bytes (or text, as UTF-8) to `path` under /workspace or /tmp."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        return self.client.request("PUT", f"/v1/sandboxes/{self.id}/files", raw=data,
                                   content_type="application/octet-stream", query={"path": path})

    def refresh(self):
        self.info = self.client.request("GET", f"/v1/sandboxes/{self.id}")
        return self.info

    @property
    def model_token(self):
        """The sandbox's own model-proxy token (its OPENAI_API_KEY), or None: the server has no
        --model, or the passport says model.proxy: false."""
        return self.info.get("model_token")

    def model_calls(self):
        """The model-proxy calls this sandbox made: {sandbox_id, token_budget, tokens_spent, calls}."""
        return self.client.request("GET", f"/v1/sandboxes/{self.id}/model-calls")

    def delete(self):
        try:
            self.client.request("DELETE", f"/v1/sandboxes/{self.id}")
        finally:
            if self._owns_client:
                self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.delete()
        except AleError as e:
            if e.status != 404:
                raise
