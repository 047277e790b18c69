"""ALE's HTTP API over urllib: a Client (base URL and token), GEM Envs and Sandboxes."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request


class AleError(Exception):
    """The server refused a request: `status` (HTTP), `code` (e.g. "quota_exceeded") and its message."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class Client:
    """Where the server is and the token to show it. Defaults: $ALE_URL and $ALE_TOKEN."""

    def __init__(self, url=None, token=None, timeout=600.0):
        self.url = (url or os.environ.get("ALE_URL") or "http://127.0.0.1:8080").rstrip("/")
        self.token = token or os.environ.get("ALE_TOKEN")
        if not self.token:
            raise ValueError("no token: pass token=... or set ALE_TOKEN")
        self.timeout = timeout

    def request(self, method, path, body=None, raw=None, content_type="application/json", query=None):
        """Sends one request; the JSON answer (or the raw bytes for raw=True answers), or AleError."""
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {"Authorization": "Bearer " + self.token}
        if raw is not None:
            data = raw
            headers["Content-Type"] = content_type
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = resp.read()
                if resp.headers.get_content_type() == "application/json":
                    return json.loads(payload) if payload else None
                return payload
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                err = json.loads(text)["error"]
                raise AleError(e.code, err.get("code", "unknown"), err.get("message", text)) from None
            except (ValueError, KeyError, TypeError):
                raise AleError(e.code, "http_error", text) from None


class Env:
    """A GEM environment: one task, stepped one tool call at a time.

        env = Env.make("greet", seed=1)
        obs, info = env.reset()
        obs, reward, terminated, truncated, info = env.step({"name": "shell", "arguments": {"command": "ls"}})
        env.close()
    """

    def __init__(self, client, env_id, task):
        self.client = client
        self.env_id = env_id
        self.task = task
        self.tools = []

    @classmethod
    def make(cls, task, seed=None, passport=None, client=None, task_dir=None):
        """A new environment of `task` (a task id), or of `task_dir` (a directory under the server's --tasks)."""
        client = client or Client()
        body = {"task_dir": task_dir} if task_dir else {"task": task}
        if seed is not None:
            body["seed"] = seed
        if passport is not None:
            body["passport"] = passport
        made = client.request("POST", "/v1/envs", body)
        return cls(client, made["env_id"], made["task"])

    def reset(self, seed=None):
        """A fresh episode: returns (observation, info); info["tools"] holds the OpenAI tool schemas."""
        body = {} if seed is None else {"seed": seed}
        r = self.client.request("POST", f"/v1/envs/{self.env_id}/reset", body)
        self.tools = r["info"].get("tools", [])
        return r["observation"], r["info"]

    def step(self, action):
        """Runs one tool call (OpenAI form, {"name", "arguments"} or {"tool", "arguments"}).

        Returns (observation, reward, terminated, truncated, info).
        """
        r = self.client.request("POST", f"/v1/envs/{self.env_id}/step", {"action": action})
        return r["observation"], r["reward"], r["terminated"], r["truncated"], r["info"]

    def close(self):
        self.client.request("POST", f"/v1/envs/{self.env_id}/close")

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

    @classmethod
    def create(cls, passport=None, labels=None, idle_timeout_seconds=None, client=None):
        client = client or Client()
        body = {}
        if passport is not None:
            body["passport"] = passport
        if labels:
            body["labels"] = labels
        if idle_timeout_seconds is not None:
            body["idle_timeout_seconds"] = idle_timeout_seconds
        return cls(client, client.request("POST", "/v1/sandboxes", body))

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
        self.client.request("DELETE", f"/v1/sandboxes/{self.id}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.delete()
        except AleError as e:
            if e.status != 404:
                raise
