"""The asyncio API against the real server of the test run ($ALE_URL, $ALE_TOKEN, task `greet`)."""

import asyncio
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ale_client import AleError, AsyncClient, AsyncEnv, AsyncSandbox  # noqa: E402

TASK = os.environ.get("ALE_TASK", "greet")


async def solve(aclient, sample):
    async with AsyncEnv(aclient, TASK, seed=sample, group="async-test", sample=sample) as env:
        obs, info = await env.reset()
        assert "note.txt" in obs, obs
        await env.step({"name": "write_file", "arguments": {"path": "out.txt", "content": "hello\n"}})
        obs, reward, terminated, truncated, info = await env.step({"name": "finish", "arguments": {"summary": "done"}})
        return env.env_id, reward, terminated


class AsyncTest(unittest.TestCase):

    def test_many_environments_are_solved_from_one_event_loop(self):
        async def main():
            async with AsyncClient(max_workers=4) as aclient:
                return await asyncio.gather(*(solve(aclient, k) for k in range(4)))

        results = asyncio.run(main())
        self.assertEqual(len({env_id for env_id, _, _ in results}), 4, "four environments, one per sample")
        self.assertEqual([(reward, terminated) for _, reward, terminated in results], [(1.0, True)] * 4)

    def test_the_loop_runs_other_calls_while_one_is_in_flight(self):
        async def main():
            async with AsyncClient(max_workers=4) as aclient:
                async with AsyncSandbox(aclient, passport="default") as sb:
                    slow = asyncio.ensure_future(sb.exec("sleep 8; echo slow"))
                    listed = []
                    for _ in range(3):
                        listed.append(await aclient.request("GET", "/v1/sandboxes"))
                    # three calls went and came back on the same loop while the first still ran
                    still_running = not slow.done()
                    result = await slow
                    return still_running, listed, sb.id, result

        still_running, listed, sandbox_id, result = asyncio.run(main())
        self.assertTrue(still_running)
        self.assertIn(sandbox_id, [s["id"] for s in listed[-1]["sandboxes"]])
        self.assertEqual(result["stdout"], "slow\n")

    def test_a_refusal_is_raised_at_the_await(self):
        async def main():
            async with AsyncClient() as aclient:
                with self.assertRaises(AleError) as caught:
                    async with AsyncEnv(aclient, "no-such-task"):
                        pass
                env = AsyncEnv(aclient, TASK)
                with self.assertRaises(RuntimeError):
                    await env.step({"name": "finish", "arguments": {}})
                return caught.exception

        error = asyncio.run(main())
        self.assertEqual((error.status, error.code), (400, "invalid_field"))


if __name__ == "__main__":
    unittest.main()
