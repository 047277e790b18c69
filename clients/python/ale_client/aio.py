"""The asyncio face of the client: AsyncEnv and AsyncSandbox, for trainers that drive many
environments from one event loop.

Each call runs the blocking client (client.py) on a worker thread of the AsyncClient's own pool,
so the loop never blocks. Why threads rather than a second HTTP implementation on asyncio's
streams: one code path speaks ALE's HTTP for both faces (errors, keep-alive, retries of a stale
connection are the same), each worker thread keeps its own kept-alive connection, and an env call
lasts as long as the sandbox work it drives (a setup script, a tool call), so a thread per call in
flight costs little beside it; concurrency is bounded by the token's max_sandboxes anyway. Size
the pool (max_workers) to the calls you keep in flight. Cancelling an awaiting task does not stop
its HTTP call: the server finishes it (the env's idle timeout reaps what is left behind).
"""

import asyncio
import concurrent.futures
import functools

from .client import Client, Env, Sandbox


class AsyncClient:
    """A Client plus a thread pool of `max_workers` (default 32) to run its calls off the event loop."""

    def __init__(self, url=None, token=None, timeout=600.0, max_workers=32, client=None):
        self.client = client or Client(url=url, token=token, timeout=timeout)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ale-client")

    async def call(self, fn, *args, **kwargs):
        """Runs fn(*args, **kwargs) on the pool and awaits its result (or its exception)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def request(self, method, path, body=None, raw=None, content_type="application/json", query=None):
        """Client.request, awaited."""
        return await self.call(self.client.request, method, path, body=body, raw=raw, content_type=content_type, query=query)

    async def aclose(self):
        """Closes the connections and the pool (waiting for calls in flight)."""
        await asyncio.get_running_loop().run_in_executor(None, self._shutdown)

    def _shutdown(self):
        self._pool.shutdown(wait=True)
        self.client.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()


class AsyncEnv:
    """A GEM environment whose calls are awaited:

        async with AsyncEnv(aclient, "greet", seed=1) as env:    # made on entry, closed on exit
            obs, info = await env.reset()
            obs, reward, terminated, truncated, info = await env.step({"name": "shell", "arguments": {"command": "ls"}})

    The arguments are Env's. Without `async with`, `await env.reset()` makes the environment first,
    and `await env.close()` closes it.
    """

    def __init__(self, aclient, task=None, **kwargs):
        self.aclient = aclient
        self._args = (task, kwargs)
        self.env = None

    @property
    def env_id(self):
        return self.env.env_id if self.env else None

    async def make(self):
        """Makes the environment on the server (once); returns self."""
        if self.env is None:
            task, kwargs = self._args
            self.env = await self.aclient.call(Env, self.aclient.client, task, **kwargs)
        return self

    async def reset(self, seed=None, group=None, sample=None):
        await self.make()
        return await self.aclient.call(self.env.reset, seed=seed, group=group, sample=sample)

    async def step(self, action):
        if self.env is None:
            raise RuntimeError("step before reset: await env.reset() first")
        return await self.aclient.call(self.env.step, action)

    async def close(self):
        if self.env is not None:
            await self.aclient.call(self.env.close)

    async def __aenter__(self):
        return await self.make()

    async def __aexit__(self, *exc):
        if self.env is not None:
            await self.aclient.call(self.env.__exit__, *exc)


class AsyncSandbox:
    """A sandbox whose calls are awaited, named as ROCK's async SDK names them (start, stop):

        async with AsyncSandbox(aclient, passport="default") as sb:   # started on entry, stopped on exit
            r = await sb.exec(["python3", "-c", "print(1)"])
    """

    def __init__(self, aclient, passport=None, labels=None, idle_timeout_seconds=None):
        self.aclient = aclient
        self._args = dict(passport=passport, labels=labels, idle_timeout_seconds=idle_timeout_seconds)
        self.sandbox = None

    @property
    def id(self):
        return self.sandbox.id if self.sandbox else None

    async def start(self):
        """Makes the sandbox (once); returns self."""
        if self.sandbox is None:
            self.sandbox = await self.aclient.call(Sandbox.create, client=self.aclient.client, **self._args)
        return self

    def _started(self):
        if self.sandbox is None:
            raise RuntimeError("the sandbox is not started: await sb.start() first")
        return self.sandbox

    async def exec(self, command, timeout_seconds=None, env=None, cwd=None, stdin=None):
        return await self.aclient.call(self._started().exec, command, timeout_seconds=timeout_seconds, env=env, cwd=cwd, stdin=stdin)

    async def read_file(self, path):
        return await self.aclient.call(self._started().read_file, path)

    async def write_file(self, path, content):
        return await self.aclient.call(self._started().write_file, path, content)

    async def stop(self):
        """Destroys the sandbox."""
        if self.sandbox is not None:
            await self.aclient.call(self.sandbox.__exit__, None, None, None)

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc):
        await self.stop()
