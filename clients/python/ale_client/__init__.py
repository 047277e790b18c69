"""A client for ALE's HTTP API (`ale serve`): GEM environments and sandboxes, blocking or awaited.

Standard library only. See docs/server.md and docs/trainers.md.
"""

from .aio import AsyncClient, AsyncEnv, AsyncSandbox
from .client import AleError, Client, Env, NodeUnavailable, Sandbox

__all__ = ["AleError", "AsyncClient", "AsyncEnv", "AsyncSandbox", "Client", "Env", "NodeUnavailable", "Sandbox"]
